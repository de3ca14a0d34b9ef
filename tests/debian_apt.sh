# SPDX-License-Identifier: MIT
# A private apt configuration, for fetching Debian packages without touching
# the system's apt state: sourced by tests/vm/kernels.sh (the VM tier's
# kernels) and tests/test_sid_headers.sh (sid's headers).

# apt_private DIR: APT gets apt-get's options for sources, lists and cache
# under DIR/apt, no status, no lock, amd64 only.
apt_private() {
	APT=(-o Dir::Etc::SourceList="$1/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	     -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	     -o Dir::State::Lists="$1/apt/lists" -o Dir::Cache="$1/apt/cache"
	     -o Dir::State::status=/dev/null -o Debug::NoLocking=1
	     -o APT::Architecture=amd64 -o APT::Architectures=amd64
	     -o APT::Sandbox::User="$(id -un)" -o Acquire::Languages=none -q)
}

# debian_mirror: $ZCRX_VM_MIRROR, else the system's own Debian mirror
# (apt-get indextargets); empty when there is none.
debian_mirror() {
	local m=${ZCRX_VM_MIRROR:-}
	[ -n "$m" ] || m=$(apt-get indextargets --format '$(REPO_URI)' \
		'Identifier: Packages' 'Label: Debian' 2>/dev/null | head -n 1)
	[ -n "$m" ] || m=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' \
		'Identifier: Packages' 2>/dev/null | awk '$1 !~ /security/ { print $2; exit }')
	echo "$m"
}

# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the integration tests and the benchmark: an uninstalled shoal
# knows no plugin folder of the build tree (no build path is compiled into
# it), so these scripts point SHOAL_PLUGIN_PATH at the modules libtool left
# in BUILDDIR/{analyzers,plugins,frontends}/*/.libs.

# shoal_build_plugin_path BUILDDIR: print the colon-separated folders.
shoal_build_plugin_path() {
    _p=""
    for _d in "$1"/analyzers/*/.libs "$1"/plugins/*/.libs "$1"/frontends/*/.libs; do
        [ -d "$_d" ] && _p="$_p${_p:+:}$_d"
    done
    printf '%s\n' "$_p"
}

# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the integration tests and the benchmark: an uninstalled shoal
# knows no plugin folder of the build tree (no build path is compiled into
# it), so these scripts point SHOAL_PLUGIN_PATH at BUILDDIR/plugin-tree/
# (`make` lays the modules out there as installed, one folder per kind,
# of which a process opens only those of the kinds it uses); a build tree
# without it gives the folders libtool left the modules in,
# BUILDDIR/{analyzers,plugins,frontends}/*/.libs.

# shoal_build_plugin_path BUILDDIR: print the colon-separated folders.
shoal_build_plugin_path() {
    _p=""
    if [ -d "$1/plugin-tree" ]; then
        for _k in analyzers policies frontends commands; do
            _p="$_p${_p:+:}$1/plugin-tree/$_k"
        done
        printf '%s\n' "$_p"
        return 0
    fi
    for _d in "$1"/analyzers/*/.libs "$1"/plugins/*/.libs "$1"/frontends/*/.libs; do
        [ -d "$_d" ] && _p="$_p${_p:+:}$_d"
    done
    printf '%s\n' "$_p"
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dropping root after the capture is open (see privileges.h), with
 * libcap-ng.
 */
#include "node/privileges.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "lib/diag.h"

/* The uid and gid of cfg's user and group; 0, or -ENOENT (logged). */
static int priv_ids(const struct shoal_config *cfg, const char *who, uid_t *uid, gid_t *gid)
{
    const char *file = cfg->file ? cfg->file : "(defaults)";
    const struct passwd *pw = getpwnam(cfg->privileges_user);

    if (pw == NULL) {
        shoal_err(who, "%s: privileges.user: there is no user named '%s'", file,
                  cfg->privileges_user);
        return -ENOENT;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    if (cfg->privileges_group != NULL && cfg->privileges_group[0] != '\0') {
        const struct group *gr = getgrnam(cfg->privileges_group);
        if (gr == NULL) {
            shoal_err(who, "%s: privileges.group: there is no group named '%s'", file,
                      cfg->privileges_group);
            return -ENOENT;
        }
        *gid = gr->gr_gid;
    }
    return 0;
}

int shoal_drop_privileges(const struct shoal_config *cfg, const char *who,
                          const char *const *dirs)
{
    uid_t uid;
    gid_t gid;
    int rc;

    if (cfg->privileges_user == NULL || cfg->privileges_user[0] == '\0') {
        return 0;
    }
    rc = priv_ids(cfg, who, &uid, &gid);
    if (rc < 0) {
        return rc;
    }
    if (geteuid() != 0) {
        if (geteuid() == uid) {
            return 0; /* started as that user already */
        }
        shoal_err(who, "privileges.user is '%s', but the node runs as uid %u, not as root: "
                       "it cannot change its user",
                  cfg->privileges_user, (unsigned)geteuid());
        return -EPERM;
    }
    capng_clear(CAPNG_SELECT_BOTH);
    if (cfg->privileges_keep_net_raw &&
        capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW) != 0) {
        shoal_err(who, "cannot keep CAP_NET_RAW while dropping root");
        return -EPERM;
    }
    rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
    if (rc != 0) {
        shoal_err(who, "cannot become user '%s' (uid %u, gid %u): libcap-ng error %d",
                  cfg->privileges_user, (unsigned)uid, (unsigned)gid, rc);
        return -EPERM;
    }
    for (const char *const *d = dirs; d != NULL && *d != NULL; d++) {
        if (access(*d, W_OK | X_OK) != 0) {
            int err = errno;
            shoal_err(who, "%s: not writable by user '%s' (%s): give it to that user "
                           "(chown %s)",
                      *d, cfg->privileges_user, strerror(err), cfg->privileges_user);
            return -err;
        }
    }
    shoal_info(who, "running as user '%s' (uid %u, gid %u)%s", cfg->privileges_user,
               (unsigned)uid, (unsigned)gid, cfg->privileges_keep_net_raw ? ", CAP_NET_RAW kept" : "");
    return 0;
}

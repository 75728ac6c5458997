/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's core (see shell.h): set-up, node.cfg as plugins see it, the
 * command plugins and running one command line under the lock.
 */
#include "shell/shell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/diag.h"
#include "lib/fsutil.h"
#include "plugin/loader.h"
#include "shell/hosts.h"
#include "shell/lock.h"
#include "shell/nodecfg.h"
#include "shell/state.h"

extern const struct shoal_command_host shoal_shell_host_table;

static const char *const shell_role_types[SHOAL_ROLE_COUNT] = {
    [SHOAL_ROLE_MANAGER] = "manager",
    [SHOAL_ROLE_PROXY] = "proxy",
    [SHOAL_ROLE_WORKER] = "worker",
    [SHOAL_ROLE_STANDALONE] = "standalone",
};

/* The nodes as plugins see them, from sh->nodecfg.  0 or -ENOMEM. */
static int shell_node_infos(struct shoal_shell *sh)
{
    size_t n = sh->nodecfg != NULL ? sh->nodecfg->n : 0;
    struct shoal_node_info *v = calloc(n + 1, sizeof(*v));
    char *dirs = calloc(n + 1, PATH_MAX);

    if (v == NULL || dirs == NULL) {
        free(v);
        free(dirs);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const struct shoal_nodecfg_node *c = &sh->nodecfg->nodes[i];
        char *dir = dirs + i * PATH_MAX;

        if (shoal_path_join(dir, PATH_MAX, sh->paths.spool, c->name) < 0) {
            free(v);
            free(dirs);
            return -ENAMETOOLONG;
        }
        v[i] = (struct shoal_node_info){
            .size = sizeof(v[i]),
            .name = c->name,
            .type = shell_role_types[c->role],
            .host = c->host,
            .interface = c->interface,
            .workdir = dir,
            .lb_method = c->lb_method,
            .pin_cpu = c->pin_cpu,
        };
    }
    free(sh->node_dirs);
    free(sh->nodes);
    sh->nodes = v;
    sh->node_dirs = dirs;
    sh->n_nodes = n;
    return 0;
}

int shoal_shell_reload(struct shoal_shell *sh, bool installed, char *err, size_t errlen)
{
    struct shoal_nodecfg *cfg = NULL;
    char path[PATH_MAX + 16];
    int rc;

    rc = shoal_path_join(path, sizeof(path), installed ? sh->paths.installed : sh->paths.etc,
                         "node.cfg");
    if (rc < 0) {
        snprintf(err, errlen, "%s: path too long", sh->paths.spool);
        return rc;
    }
    rc = shoal_nodecfg_load(path, &cfg, err, errlen);
    if (rc < 0) {
        return rc;
    }
    shoal_nodecfg_free(sh->nodecfg);
    sh->nodecfg = cfg;
    sh->installed = installed;
    return shell_node_infos(sh);
}

/* The control group of etc/shoal.cfg, or its defaults when there is no
 * such file.  0, or a negative errno after saying why ("FILE:LINE: ...").
 * The rest of the file is for the nodes: `check` judges it, so a mistake
 * there leaves the shell usable. */
static int shell_timeouts(struct shoal_shell *sh)
{
    struct shoal_config cfg = {0};
    char path[PATH_MAX + 16];
    char err[512];
    int rc;

    if (shoal_path_join(path, sizeof(path), sh->paths.etc, "shoal.cfg") < 0) {
        fprintf(stderr, "shoalctl: %s/shoal.cfg: path too long\n", sh->paths.etc);
        return -ENAMETOOLONG;
    }
    if (access(path, F_OK) != 0) {
        rc = shoal_config_defaults(&cfg);
        if (rc < 0) {
            return rc;
        }
    } else if ((rc = shoal_config_load_group(&cfg, path, "control", err, sizeof(err))) < 0) {
        fprintf(stderr, "shoalctl: %s\n", err);
        shoal_config_free(&cfg); /* the defaults it was left with */
        return rc;
    }
    sh->timeouts = (struct shoal_shell_timeouts){
        .lock = cfg.control_lock_timeout,
        .control = cfg.control_control_timeout,
        .start = cfg.control_start_timeout,
        .stop = cfg.control_stop_timeout,
        .run = cfg.control_run_timeout,
    };
    sh->base_port = cfg.control_base_port <= 65535 ? (uint16_t)cfg.control_base_port : 0;
    sh->cron = (struct shoal_shell_cron){
        .rotate_interval = cfg.control_rotate_interval,
        .log_expire_days = cfg.control_log_expire_days,
        .min_disk_percent = cfg.control_min_disk_percent,
    };
    shoal_config_free(&cfg);
    return 0;
}

static int shell_load_commands(struct shoal_shell *sh)
{
    char err[512];
    struct shoal_config cfg;
    int rc;

    sh->commands = shoal_registry_new(SHOAL_KINDS(COMMAND));
    if (sh->commands == NULL) {
        return -ENOMEM;
    }
    shoal_registry_scan_default(sh->commands);
    rc = shoal_config_defaults(&cfg);
    if (rc < 0) {
        return rc;
    }
    rc = shoal_registry_init_all(sh->commands, &sh->env, &cfg, err, sizeof(err));
    shoal_config_free(&cfg);
    if (rc < 0) {
        fprintf(stderr, "shoalctl: %s\n", err);
    }
    if (shoal_registry_count(sh->commands) == 0) {
        fprintf(stderr, "shoalctl: no command plugins found in:\n");
        shoal_registry_print_path(sh->commands, stderr);
        return -ENOENT;
    }
    return 0;
}

int shoal_shell_open(struct shoal_shell *sh, const char *base)
{
    char err[512];
    char dir[PATH_MAX + 8];
    int rc;

    memset(sh, 0, sizeof(*sh));
    sh->out = stdout;
    rc = shoal_paths_init(&sh->paths, base);
    if (rc < 0) {
        fprintf(stderr, "shoalctl: %s: %s\n", base != NULL ? base : "the installation's folders",
                strerror(-rc));
        return rc;
    }
    rc = shell_timeouts(sh);
    if (rc < 0) {
        return rc;
    }
    rc = shoal_path_join(dir, sizeof(dir), sh->paths.spool, "ssh");
    rc = rc < 0 ? rc : shoal_mkdirs(dir, 0700, NULL, 0);
    if (rc < 0) {
        fprintf(stderr, "shoalctl: %s: cannot create: %s\n", dir, strerror(-rc));
        return rc;
    }
    sh->hosts = shoal_hosts_new(dir);
    if (sh->hosts == NULL || shoal_state_open(sh->paths.spool, &sh->state) < 0) {
        return -ENOMEM;
    }
    /* The installed node.cfg when there is one, else etc's; a broken one
     * is left for `check` to report. */
    if (shoal_shell_reload(sh, true, err, sizeof(err)) < 0 &&
        shoal_shell_reload(sh, false, err, sizeof(err)) < 0) {
        sh->nodecfg = NULL;
        shell_node_infos(sh);
    }
    sh->env.node_name = "shoalctl";
    sh->env.owner = sh;
    shoal_host_env_init(&sh->env, &shoal_shell_host_table);
    return shell_load_commands(sh);
}

void shoal_shell_close(struct shoal_shell *sh)
{
    shoal_registry_free(sh->commands);
    shoal_state_close(sh->state);
    shoal_hosts_free(sh->hosts);
    free(sh->node_dirs);
    free(sh->nodes);
    shoal_nodecfg_free(sh->nodecfg);
    memset(sh, 0, sizeof(*sh));
}

const struct shoal_command_ops *shoal_shell_command(const struct shoal_shell *sh, size_t i)
{
    const struct shoal_loaded *l = shoal_registry_get(sh->commands, i);

    return l != NULL ? l->desc->ops : NULL;
}

const struct shoal_command_ops *shoal_shell_find(const struct shoal_shell *sh, const char *name,
                                                 void **state)
{
    for (size_t i = 0; i < shoal_registry_count(sh->commands); i++) {
        const struct shoal_loaded *l = shoal_registry_get(sh->commands, i);
        const struct shoal_command_ops *ops = l->desc->ops;
        bool match = strcmp(ops->name, name) == 0;

        for (size_t a = 0; !match && ops->aliases != NULL && ops->aliases[a] != NULL; a++) {
            match = strcmp(ops->aliases[a], name) == 0;
        }
        if (match) {
            if (state != NULL) {
                *state = l->state;
            }
            return ops;
        }
    }
    return NULL;
}

const struct shoal_node_info *shoal_shell_node(const struct shoal_shell *sh, const char *name)
{
    for (size_t i = 0; i < sh->n_nodes; i++) {
        if (strcmp(sh->nodes[i].name, name) == 0) {
            return &sh->nodes[i];
        }
    }
    return NULL;
}

int shoal_shell_run(struct shoal_shell *sh, int argc, char *const *argv)
{
    struct shoal_lock *lock = NULL;
    void *state = NULL;
    const struct shoal_command_ops *ops;
    int rc;

    if (argc == 0) {
        return 0;
    }
    ops = shoal_shell_find(sh, argv[0], &state);
    if (ops == NULL) {
        fprintf(stderr, "unknown command '%s' (\"help\" lists them)\n", argv[0]);
        return 2;
    }
    if (!(ops->flags & SHOAL_CMD_NO_LOCK) &&
        shoal_lock_take(sh->paths.spool, sh->timeouts.lock, &lock) < 0) {
        return 1;
    }
    rc = ops->run(state, argc, argv);
    fflush(sh->out);
    sh->done |= (ops->flags & SHOAL_CMD_EXIT) != 0;
    shoal_lock_release(lock);
    return rc < 0 ? 1 : rc;
}

int shoal_shell_clean(struct shoal_shell *sh, char *err, size_t errlen)
{
    char dir[PATH_MAX + 8];
    char failed[PATH_MAX];
    int rc = shoal_path_join(dir, sizeof(dir), sh->paths.spool, "staged");

    if (rc == 0 && (rc = shoal_rmtree(dir, failed, sizeof(failed))) < 0) {
        snprintf(err, errlen, "%s: cannot remove: %s", failed, strerror(-rc));
        return rc;
    }
    return rc < 0 ? rc : shoal_hosts_forget(sh->hosts, err, errlen);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table every plugin gets, whatever its kind (see host.h):
 * diagnostics prefixed with the plugin's "[kind:name]", allocation,
 * counters, timers on the node's clock; and the plugin handles themselves.
 */
#include "plugin/host.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "engine/conn.h"
#include "lib/diag.h"
#include "lib/timers.h"
#include "plugin/loader.h"

double shoal_host_now(const struct shoal_host_env *env)
{
    struct timespec t;

    if (env->ctx != NULL) {
        return shoal_ctx_now(env->ctx);
    }
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

bool shoal_host_copy_sized(void *out, size_t out_size, const void *in, size_t min)
{
    uint32_t size;

    memset(out, 0, out_size);
    if (in == NULL) {
        return false;
    }
    memcpy(&size, in, sizeof(size));
    if (size < min) {
        return false;
    }
    memcpy(out, in, size < out_size ? size : out_size);
    return true;
}

/* ---- the common table ---- */

static void host_logf(struct shoal_self *self, enum shoal_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_logf(struct shoal_self *self, enum shoal_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_vdiag(level, self != NULL ? self->who : "plugin", fmt, ap);
    va_end(ap);
}

static void *host_alloc(struct shoal_self *self, size_t n)
{
    (void)self;
    return calloc(1, n);
}

static void host_free(struct shoal_self *self, void *p)
{
    (void)self;
    free(p);
}

/* [a-z][a-z0-9_]{0,31} */
static bool host_counter_name_ok(const char *s)
{
    size_t i;

    if (s == NULL || s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        if (i >= SHOAL_COUNTER_NAME_MAX ||
            !(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_')) {
            return false;
        }
    }
    return true;
}

static uint64_t *host_counter(struct shoal_self *self, const char *name, const char *help)
{
    struct shoal_self_counter *c;

    if (!host_counter_name_ok(name)) {
        shoal_err(self->who, "counter name \"%.40s\" refused: expected [a-z][a-z0-9_]{0,31}",
                  name != NULL ? name : "(null)");
        return &self->unreported;
    }
    for (size_t i = 0; i < self->ncounters; i++) {
        if (strcmp(self->counters[i].name, name) == 0) {
            return &self->counters[i].value;
        }
    }
    if (self->counters == NULL) {
        self->counters = calloc(SHOAL_SELF_MAX_COUNTERS, sizeof(*self->counters));
        if (self->counters == NULL) {
            shoal_err(self->who, "counter %s: out of memory", name);
            return &self->unreported;
        }
    }
    if (self->ncounters == SHOAL_SELF_MAX_COUNTERS) {
        shoal_err(self->who, "counter %s refused: a plugin has at most %d", name,
                  SHOAL_SELF_MAX_COUNTERS);
        return &self->unreported;
    }
    c = &self->counters[self->ncounters++];
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->help = help;
    return &c->value;
}

static uint64_t host_timer_add(struct shoal_self *self, double delay, shoal_timer_fn fn, void *arg)
{
    uint64_t id;

    if (self->env->timers == NULL || fn == NULL || !(delay >= 0)) {
        shoal_err(self->who, "timer refused: %s",
                  self->env->timers == NULL ? "this process runs no timers"
                                            : "bad delay or no function");
        return 0;
    }
    id = shoal_timers_add(self->env->timers, shoal_host_now(self->env) + delay, fn, arg, self);
    if (id == 0) {
        shoal_err(self->who, "timer refused: out of memory");
    }
    return id;
}

static void host_timer_cancel(struct shoal_self *self, uint64_t id)
{
    if (self->env->timers != NULL) {
        shoal_timers_cancel(self->env->timers, id, self);
    }
}

static double host_now(struct shoal_self *self)
{
    return shoal_host_now(self->env);
}

static const char *host_node_name(struct shoal_self *self)
{
    return self->env->node_name != NULL ? self->env->node_name : "shoal";
}

static const struct shoal_host host_common = {
    .size = sizeof(struct shoal_host),
    .abi_major = SHOAL_ABI_MAJOR,
    .abi_minor = SHOAL_ABI_MINOR,
    .logf = host_logf,
    .alloc = host_alloc,
    .free = host_free,
    .counter = host_counter,
    .timer_add = host_timer_add,
    .timer_cancel = host_timer_cancel,
    .now = host_now,
    .node_name = host_node_name,
};

void shoal_host_env_init(struct shoal_host_env *env, const struct shoal_command_host *command)
{
    const char *name = env->node_name != NULL ? env->node_name : "";

    env->command = command;
    shoal_file_ids_init(&env->file_ids, XXH3_64bits(name, strlen(name)));
    for (int k = 0; k <= SHOAL_PLUGIN_KIND_LAST; k++) {
        struct shoal_host *h = &env->hosts[k];

        *h = host_common;
        switch ((enum shoal_plugin_kind)k) {
        case SHOAL_PLUGIN_ANALYZER:
        case SHOAL_PLUGIN_POLICY:
            h->analyzer = &shoal_host_analyzer_table;
            break;
        case SHOAL_PLUGIN_FRONTEND:
            h->frontend = &shoal_host_frontend_table;
            break;
        case SHOAL_PLUGIN_COMMAND:
            h->command = command;
            break;
        }
    }
}

const struct shoal_host *shoal_host_for(const struct shoal_host_env *env,
                                        enum shoal_plugin_kind kind)
{
    return &env->hosts[kind >= 0 && kind <= SHOAL_PLUGIN_KIND_LAST ? kind : 0];
}

struct shoal_self *shoal_self_new(const struct shoal_plugin *p, struct shoal_host_env *env)
{
    struct shoal_self *self = calloc(1, sizeof(*self));
    const struct shoal_analyzer_ops *ops = p->ops;
    const char *src;
    size_t i;

    if (self == NULL) {
        return NULL;
    }
    self->desc = p;
    self->env = env;
    self->service_bit = -1;
    snprintf(self->who, sizeof(self->who), "%s:%s", shoal_plugin_kind_name(p->kind), p->name);
    /* Weirds name their reporter as Zeek's do: the analyzer's service in
     * capitals ("DNS"), else the plugin's name. */
    src = p->kind == SHOAL_PLUGIN_ANALYZER && ops->service != NULL ? ops->service : p->name;
    for (i = 0; src[i] != '\0' && i + 1 < sizeof(self->source); i++) {
        self->source[i] = (char)toupper((unsigned char)src[i]);
    }
    self->source[i] = '\0';
    return self;
}

void *shoal_self_keep(struct shoal_self *self, size_t n)
{
    void **v = realloc(self->kept, (self->nkept + 1) * sizeof(*v));
    void *p;

    if (v == NULL) {
        return NULL;
    }
    self->kept = v;
    p = calloc(1, n);
    if (p != NULL) {
        self->kept[self->nkept++] = p;
    }
    return p;
}

void shoal_self_free(struct shoal_self *self)
{
    if (self == NULL) {
        return;
    }
    if (self->env != NULL && self->env->timers != NULL) {
        shoal_timers_drop_owner(self->env->timers, self);
    }
    while (self->nkept > 0) {
        free(self->kept[--self->nkept]);
    }
    free(self->kept);
    free(self->counters);
    free(self);
}

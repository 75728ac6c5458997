/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of a plugin's descriptor before the loader trusts any of it:
 * the ABI version and struct size first (they say how much of the rest
 * exists), then kind, name, callbacks, the kind's ops table and the config
 * key table.  Every refusal is one line naming the field, what was
 * expected and what was found ("abi_major: expected 2, got 1").  What an
 * older minor version's plugin lacks is accepted: a struct smaller than
 * today's is read as far as its size goes.
 */
#include "plugin/loader.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"

/* The frozen prefix of ABI major 2: every field of the descriptor through
 * `ops`, and of each kind's ops table every field of 2.0. */
#define VALIDATE_MIN_DESC (offsetof(struct shoal_plugin, ops) + sizeof(void *))
#define VALIDATE_MIN_OPS(type, last)                                                               \
    (offsetof(struct type, last) + sizeof(((struct type *)0)->last))

/* A config struct larger than this is surely a mistake in the descriptor. */
#define VALIDATE_MAX_CONFIG_SIZE (1024 * 1024)

/* Longest table we walk looking for its terminating entry. */
#define VALIDATE_MAX_KEYS 1024

#define VALIDATE_NAME_MAX 32

const char *shoal_plugin_kind_name(enum shoal_plugin_kind k)
{
    switch (k) {
    case SHOAL_PLUGIN_ANALYZER:
        return "analyzer";
    case SHOAL_PLUGIN_FRONTEND:
        return "frontend";
    case SHOAL_PLUGIN_COMMAND:
        return "command";
    case SHOAL_PLUGIN_POLICY:
        return "policy";
    }
    return "unknown";
}

const char *shoal_plugin_cfg_type_name(enum shoal_cfg_type t)
{
    switch (t) {
    case SHOAL_CFG_BOOL:
        return "bool";
    case SHOAL_CFG_INT:
        return "int";
    case SHOAL_CFG_DOUBLE:
        return "double";
    case SHOAL_CFG_STRING:
        return "string";
    }
    return "unknown";
}

/* Copy at most 40 bytes of an untrusted string for a message, quoted, with
 * anything unprintable shown as '?'. */
static void validate_quote(char *buf, size_t len, const char *s)
{
    size_t i = 0;
    size_t o = 0;

    if (s == NULL) {
        snprintf(buf, len, "NULL");
        return;
    }
    if (len < 8) {
        buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    while (s[i] != '\0' && i < 40 && o + 5 < len) {
        unsigned char ch = (unsigned char)s[i++];

        buf[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    if (s[i] != '\0') {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

/* [a-z][a-z0-9_-]{0,31} */
static bool validate_name_ok(const char *s)
{
    size_t i;

    if (s == NULL || s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        char ch = s[i];

        if (i >= VALIDATE_NAME_MAX) {
            return false;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
            return false;
        }
    }
    return true;
}

/* A config key name libconfig can spell: [a-z][a-z0-9_]{0,63}. */
static bool validate_key_name_ok(const char *s)
{
    size_t i;

    if (s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        char ch = s[i];

        if (i >= 64) {
            return false;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
            return false;
        }
    }
    return true;
}

/* A key's min or max must parse as the key's type (numbers only). */
static bool validate_bound(size_t i, const struct shoal_cfg_key *k, const char *which,
                           const char *text, char *why, size_t whylen)
{
    union {
        int64_t i;
        double d;
    } v;

    if (text == NULL) {
        return true;
    }
    if ((k->type != SHOAL_CFG_INT && k->type != SHOAL_CFG_DOUBLE) ||
        shoal_cfg_parse(k, text, &v) < 0) {
        snprintf(why, whylen,
                 "config[%zu].%s (%s): expected a bound of an int or double key, got "
                 "\"%.40s\" on a %s key",
                 i, which, k->name, text, shoal_plugin_cfg_type_name(k->type));
        return false;
    }
    return true;
}

/* Check the config key table against config_size. */
static bool validate_keys(const struct shoal_plugin *p, char *why, size_t whylen)
{
    char q[64];
    size_t i;

    if (p->config_size > VALIDATE_MAX_CONFIG_SIZE) {
        snprintf(why, whylen, "config_size: expected at most %d, got %zu", VALIDATE_MAX_CONFIG_SIZE,
                 p->config_size);
        return false;
    }
    if (p->config == NULL) {
        return true;
    }
    for (i = 0; p->config[i].name != NULL; i++) {
        const struct shoal_cfg_key *k = &p->config[i];
        size_t sz = shoal_cfg_type_size(k->type);

        if (i >= VALIDATE_MAX_KEYS) {
            snprintf(why, whylen, "config: expected a zeroed entry within %d entries, got none",
                     VALIDATE_MAX_KEYS);
            return false;
        }
        if (!validate_key_name_ok(k->name)) {
            validate_quote(q, sizeof(q), k->name);
            snprintf(why, whylen, "config[%zu].name: expected [a-z][a-z0-9_]{0,63}, got %s", i, q);
            return false;
        }
        if (strcmp(k->name, SHOAL_CONFIG_PLUGIN_ENABLED) == 0) {
            snprintf(why, whylen,
                     "config[%zu].name: \"%s\" is the core's own key of every plugin group", i,
                     k->name);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->config[j].name, k->name) == 0) {
                snprintf(why, whylen,
                         "config[%zu].name: expected a unique name, got \"%s\" "
                         "(also config[%zu])",
                         i, k->name, j);
                return false;
            }
        }
        if (sz == 0) {
            snprintf(why, whylen,
                     "config[%zu].type (%s): expected 1 (bool), 2 (int), 3 (double) or "
                     "4 (string), got %d",
                     i, k->name, (int)k->type);
            return false;
        }
        if (k->offset > p->config_size || p->config_size - k->offset < sz) {
            snprintf(why, whylen,
                     "config[%zu].offset (%s): expected offset + %zu at most config_size %zu, "
                     "got %zu",
                     i, k->name, sz, p->config_size, k->offset);
            return false;
        }
        if (!validate_bound(i, k, "min", k->min, why, whylen) ||
            !validate_bound(i, k, "max", k->max, why, whylen)) {
            return false;
        }
    }
    return true;
}

/* The ops table's size, read before anything else of it. */
static bool validate_ops_size(const struct shoal_plugin *p, size_t min, char *why, size_t whylen)
{
    uint32_t size;

    memcpy(&size, p->ops, sizeof(size));
    if (size < min) {
        snprintf(why, whylen, "ops->size: expected at least %zu (the %s ops of ABI %d.0), got %u",
                 min, shoal_plugin_kind_name(p->kind), SHOAL_ABI_MAJOR, size);
        return false;
    }
    return true;
}

static bool validate_null_fn(const char *field, bool missing, char *why, size_t whylen)
{
    if (missing) {
        snprintf(why, whylen, "%s: expected a function, got NULL", field);
        return false;
    }
    return true;
}

static bool validate_analyzer(const struct shoal_plugin *p, char *why, size_t whylen)
{
    const struct shoal_analyzer_ops *ops = p->ops;
    char q[64];

    if (!validate_ops_size(p, VALIDATE_MIN_OPS(shoal_analyzer_ops, conn_done), why, whylen) ||
        !validate_null_fn("ops->data", ops->data == NULL, why, whylen)) {
        return false;
    }
    if (ops->service == NULL || !validate_name_ok(ops->service)) {
        validate_quote(q, sizeof(q), ops->service);
        snprintf(why, whylen, "ops->service: expected [a-z][a-z0-9_-]{0,31}, got %s", q);
        return false;
    }
    return true;
}

static bool validate_policy(const struct shoal_plugin *p, char *why, size_t whylen)
{
    const struct shoal_policy_ops *ops = p->ops;

    if (!validate_ops_size(p, VALIDATE_MIN_OPS(shoal_policy_ops, conn_removed), why, whylen)) {
        return false;
    }
    if (ops->conn_established == NULL && ops->conn_removed == NULL) {
        snprintf(why, whylen, "ops: expected conn_established or conn_removed, got neither");
        return false;
    }
    return true;
}

static bool validate_frontend(const struct shoal_plugin *p, char *why, size_t whylen)
{
    const struct shoal_frontend_ops *ops = p->ops;

    return validate_ops_size(p, VALIDATE_MIN_OPS(shoal_frontend_ops, dispatch), why, whylen) &&
           validate_null_fn("ops->open", ops->open == NULL, why, whylen) &&
           validate_null_fn("ops->datalink", ops->datalink == NULL, why, whylen) &&
           validate_null_fn("ops->next", ops->next == NULL, why, whylen) &&
           validate_null_fn("ops->stats", ops->stats == NULL, why, whylen) &&
           validate_null_fn("ops->close", ops->close == NULL, why, whylen);
}

/* A command name or alias: [a-z?][a-z0-9_.-]{0,31} (help's "?" alone too). */
static bool validate_command_name_ok(const char *s)
{
    size_t i;

    if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] == '?' && s[1] == '\0'))) {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        char ch = s[i];

        if (i >= VALIDATE_NAME_MAX || !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                                        ch == '_' || ch == '-' || ch == '.')) {
            return false;
        }
    }
    return true;
}

static bool validate_command(const struct shoal_plugin *p, char *why, size_t whylen)
{
    const struct shoal_command_ops *ops = p->ops;
    char q[64];

    if (!validate_ops_size(p, VALIDATE_MIN_OPS(shoal_command_ops, run), why, whylen) ||
        !validate_null_fn("ops->run", ops->run == NULL, why, whylen)) {
        return false;
    }
    if (!validate_command_name_ok(ops->name)) {
        validate_quote(q, sizeof(q), ops->name);
        snprintf(why, whylen, "ops->name: expected [a-z][a-z0-9_.-]{0,31}, got %s", q);
        return false;
    }
    for (size_t i = 0; ops->aliases != NULL && ops->aliases[i] != NULL; i++) {
        if (i >= VALIDATE_MAX_KEYS || !validate_command_name_ok(ops->aliases[i])) {
            validate_quote(q, sizeof(q), ops->aliases[i]);
            snprintf(why, whylen,
                     "ops->aliases[%zu]: expected [a-z][a-z0-9_.-]{0,31} or \"?\", "
                     "got %s",
                     i, q);
            return false;
        }
    }
    if (ops->help == NULL || ops->help[0] == '\0') {
        snprintf(why, whylen, "ops->help: expected a line of help, got %s",
                 ops->help == NULL ? "NULL" : "\"\"");
        return false;
    }
    return true;
}

/* Check the ops table of the plugin's kind. */
static bool validate_ops(const struct shoal_plugin *p, char *why, size_t whylen)
{
    if (p->ops == NULL) {
        snprintf(why, whylen, "ops: expected a pointer to the %s ops, got NULL",
                 shoal_plugin_kind_name(p->kind));
        return false;
    }
    switch (p->kind) {
    case SHOAL_PLUGIN_ANALYZER:
        return validate_analyzer(p, why, whylen);
    case SHOAL_PLUGIN_POLICY:
        return validate_policy(p, why, whylen);
    case SHOAL_PLUGIN_FRONTEND:
        return validate_frontend(p, why, whylen);
    case SHOAL_PLUGIN_COMMAND:
        return validate_command(p, why, whylen);
    }
    return false;
}

bool shoal_plugin_validate(const struct shoal_plugin *p, char *why, size_t whylen)
{
    char q[64];

    if (p == NULL) {
        snprintf(why, whylen, "descriptor: expected a pointer, got NULL");
        return false;
    }
    if (p->abi_major != SHOAL_ABI_MAJOR) {
        snprintf(why, whylen, "abi_major: expected %d, got %u", SHOAL_ABI_MAJOR, p->abi_major);
        return false;
    }
    if (p->abi_minor > SHOAL_ABI_MINOR) {
        snprintf(why, whylen, "abi_minor: expected at most %d, got %u", SHOAL_ABI_MINOR,
                 p->abi_minor);
        return false;
    }
    if (p->size < VALIDATE_MIN_DESC) {
        snprintf(why, whylen, "size: expected at least %zu, got %u", (size_t)VALIDATE_MIN_DESC,
                 p->size);
        return false;
    }
    if (!validate_name_ok(p->name)) {
        validate_quote(q, sizeof(q), p->name);
        snprintf(why, whylen, "name: expected [a-z][a-z0-9_-]{0,31}, got %s", q);
        return false;
    }
    if (p->kind < SHOAL_PLUGIN_ANALYZER || p->kind > SHOAL_PLUGIN_KIND_LAST) {
        snprintf(why, whylen,
                 "kind: expected 1 (analyzer), 2 (frontend), 3 (command) or 4 (policy), got %d",
                 (int)p->kind);
        return false;
    }
    if (p->init == NULL) {
        snprintf(why, whylen, "init: expected a function, got NULL");
        return false;
    }
    return validate_ops(p, why, whylen) && validate_keys(p, why, whylen);
}

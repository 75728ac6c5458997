/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's state file (see state.h).
 */
#include "shell/state.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/diag.h"
#include "lib/fsutil.h"

#define STATE_MAX_BYTES (1u << 20)

struct state_entry {
    char *key;
    char *value;
};

struct shoal_state {
    char path[PATH_MAX];
    struct state_entry *v;
    size_t n;
};

static bool state_key_ok(const char *k)
{
    if (k == NULL || k[0] == '\0' || strlen(k) > 128) {
        return false;
    }
    for (const char *c = k; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("_.-", *c) != NULL)) {
            return false;
        }
    }
    return true;
}

static bool state_value_ok(const char *v)
{
    for (const char *c = v; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return false;
        }
    }
    return strlen(v) <= 4096;
}

/* Set in memory only. */
static int state_put(struct shoal_state *s, const char *key, const char *value)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].key, key) != 0) {
            continue;
        }
        char *dup = value != NULL ? strdup(value) : NULL;
        if (value != NULL && dup == NULL) {
            return -ENOMEM;
        }
        free(s->v[i].value);
        if (dup == NULL) {
            free(s->v[i].key);
            s->v[i] = s->v[--s->n];
            return 0;
        }
        s->v[i].value = dup;
        return 0;
    }
    if (value == NULL) {
        return 0;
    }
    struct state_entry *v = realloc(s->v, (s->n + 1) * sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    s->v = v;
    v[s->n].key = strdup(key);
    v[s->n].value = strdup(value);
    if (v[s->n].key == NULL || v[s->n].value == NULL) {
        free(v[s->n].key);
        free(v[s->n].value);
        return -ENOMEM;
    }
    s->n++;
    return 0;
}

int shoal_state_open(const char *spool, struct shoal_state **out)
{
    struct shoal_state *s = calloc(1, sizeof(*s));
    char *text = NULL;
    char *save = NULL;
    int rc;

    *out = NULL;
    if (s == NULL) {
        return -ENOMEM;
    }
    snprintf(s->path, sizeof(s->path), "%s/state.db", spool);
    rc = shoal_file_read(s->path, STATE_MAX_BYTES, &text);
    if (rc == -ENOENT) {
        *out = s;
        return 0;
    }
    if (rc < 0) {
        shoal_err("shoalctl", "%s: cannot read the shell's state: %s", s->path, strerror(-rc));
        free(s);
        return rc;
    }
    for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(l, " = ");
        if (eq == NULL) {
            continue; /* written by us: a line we cannot read is dropped */
        }
        *eq = '\0';
        if (state_key_ok(l) && state_value_ok(eq + 3) && state_put(s, l, eq + 3) < 0) {
            rc = -ENOMEM;
            break;
        }
    }
    free(text);
    if (rc < 0) {
        shoal_state_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void shoal_state_close(struct shoal_state *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].key);
        free(s->v[i].value);
    }
    free(s->v);
    free(s);
}

const char *shoal_state_get(const struct shoal_state *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].key, key) == 0) {
            return s->v[i].value;
        }
    }
    return NULL;
}

/* Write every entry to a temporary file, then rename it over the state. */
static int state_write(const struct shoal_state *s)
{
    char tmp[PATH_MAX + 8];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", s->path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        return -errno;
    }
    fputs("# shoalctl's state: written by shoalctl, not by hand\n", f);
    for (size_t i = 0; i < s->n; i++) {
        fprintf(f, "%s = %s\n", s->v[i].key, s->v[i].value);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        int rc = -errno;
        fclose(f);
        unlink(tmp);
        return rc;
    }
    if (fclose(f) != 0 || rename(tmp, s->path) != 0) {
        int rc = -errno;
        unlink(tmp);
        return rc;
    }
    return 0;
}

int shoal_state_set(struct shoal_state *s, const char *key, const char *value)
{
    int rc;

    if (!state_key_ok(key) || (value != NULL && !state_value_ok(value))) {
        return -EINVAL;
    }
    rc = state_put(s, key, value);
    if (rc == 0) {
        rc = state_write(s);
    }
    if (rc < 0) {
        shoal_err("shoalctl", "%s: cannot save the shell's state: %s", s->path, strerror(-rc));
    }
    return rc;
}

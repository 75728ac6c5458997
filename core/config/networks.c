/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The networks.cfg reader (see networks.h): one prefix and its comment per
 * line.  A prefix with host bits set ("10.1.2.3/8") is refused, as
 * ZeekControl refuses it, since it is most likely a typo.
 */
#include "config/networks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "lib/fsutil.h"

#define NETWORKS_MAX_BYTES (4u << 20)

void shoal_networks_free(struct shoal_networks *n)
{
    if (n == NULL) {
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        free(n->v[i].text);
        free(n->v[i].comment);
    }
    free(n->v);
    free(n->file);
    free(n);
}

/* Did `text` give exactly the prefix it parsed to (no host bits set)? */
static bool networks_exact(const char *text, const struct shoal_prefix *p)
{
    struct shoal_prefix again;
    char host[64];
    const char *slash = strchr(text, '/');
    size_t len = slash != NULL ? (size_t)(slash - text) : strlen(text);

    if (len >= sizeof(host)) {
        return false;
    }
    memcpy(host, text, len);
    host[len] = '\0';
    /* The address alone, as a full-length prefix, must equal the network. */
    if (shoal_prefix_parse(host, &again) < 0) {
        return false;
    }
    return memcmp(again.net.b, p->net.b, sizeof(p->net.b)) == 0;
}

/* One non-blank line: "PREFIX [comment]". */
static int networks_line(struct shoal_networks *n, char *l, unsigned line, char *err, size_t errlen)
{
    struct shoal_network *v;
    struct shoal_prefix p;
    char *rest = l;

    while (*rest != '\0' && !isspace((unsigned char)*rest)) {
        rest++;
    }
    if (*rest != '\0') {
        *rest++ = '\0';
    }
    while (isspace((unsigned char)*rest)) {
        rest++;
    }
    if (shoal_prefix_parse(l, &p) < 0) {
        snprintf(err, errlen, "%s:%u: expected a network in CIDR notation, got \"%.60s\"", n->file,
                 line, l);
        return -EINVAL;
    }
    if (!networks_exact(l, &p)) {
        snprintf(err, errlen, "%s:%u: %s has host bits set beyond its /%u", n->file, line, l,
                 p.len >= 96 && shoal_addr_is_v4(&p.net) ? p.len - 96u : p.len);
        return -EINVAL;
    }
    v = realloc(n->v, (n->n + 1) * sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    n->v = v;
    v[n->n] = (struct shoal_network){.prefix = p, .line = line};
    v[n->n].text = strdup(l);
    v[n->n].comment = strdup(rest);
    n->n++;
    return v[n->n - 1].text != NULL && v[n->n - 1].comment != NULL ? 0 : -ENOMEM;
}

int shoal_networks_parse(const char *text, const char *name, struct shoal_networks **out, char *err,
                         size_t errlen)
{
    struct shoal_networks *n = calloc(1, sizeof(*n));
    char *copy = strdup(text);
    unsigned line = 0;
    char *next;
    int rc = 0;

    *out = NULL;
    if (n == NULL || copy == NULL || (n->file = strdup(name)) == NULL) {
        rc = -ENOMEM;
    }
    for (char *l = copy; rc == 0 && l != NULL; l = next) {
        char *nl = strchr(l, '\n');
        char *e;

        next = nl != NULL ? nl + 1 : NULL;
        if (nl != NULL) {
            *nl = '\0';
        }
        line++;
        while (isspace((unsigned char)*l)) {
            l++;
        }
        e = l + strlen(l);
        while (e > l && isspace((unsigned char)e[-1])) {
            *--e = '\0';
        }
        if (*l != '\0' && *l != '#') {
            rc = networks_line(n, l, line, err, errlen);
        }
    }
    if (rc == -ENOMEM) {
        snprintf(err, errlen, "%s: out of memory", name);
    }
    free(copy);
    if (rc < 0) {
        shoal_networks_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

int shoal_networks_load(const char *path, struct shoal_networks **out, char *err, size_t errlen)
{
    char *text = NULL;
    int rc = shoal_file_read(path, NETWORKS_MAX_BYTES, &text);

    *out = NULL;
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 rc == -EFBIG    ? "larger than 4 MiB"
                 : rc == -EINVAL ? "a NUL byte: not a text file"
                                 : strerror(-rc));
        return rc;
    }
    rc = shoal_networks_parse(text, path, out, err, errlen);
    free(text);
    return rc;
}

int shoal_networks_to_set(const struct shoal_networks *n, struct shoal_netset *s)
{
    for (size_t i = 0; i < n->n; i++) {
        int rc = shoal_netset_add(s, &n->v[i].prefix);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int shoal_networks_apply(const struct shoal_networks *n, struct shoal_config *c)
{
    char **v = calloc(n->n + 1, sizeof(*v));

    if (v == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        v[i] = strdup(n->v[i].text);
        if (v[i] == NULL) {
            while (i > 0) {
                free(v[--i]);
            }
            free(v);
            return -ENOMEM;
        }
    }
    for (char **o = c->local_nets; o != NULL && *o != NULL; o++) {
        free(*o);
    }
    free(c->local_nets);
    c->local_nets = v;
    c->local_nets_set = true;
    return 0;
}

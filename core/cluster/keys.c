/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CURVE key files: generation with libzmq (zmq_curve_keypair), Z85 text
 * checked character by character before libzmq decodes it, private files
 * written with O_CREAT|O_EXCL mode 0600 in directories created 0700 (or
 * replaced atomically by rename when asked), and the readers of the key pair
 * file and of the cluster's allowed-public-keys file, which refuse files that
 * others could read (secret) or write (both), or whose directory others
 * could write (both, also when writing), and name the file and line of
 * every bad line.  Secret material read or generated here is wiped from the
 * buffers it went through.
 */
#include "cluster/keys.h"

#include "config/config.h"
#include "lib/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* The Z85 alphabet (ZeroMQ RFC 32), in value order. */
static const char keys_z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

/* Write "FILE:LINE: message" (line left out when 0) into err. */
static void keys_errf(char *err, size_t errlen, const char *file, unsigned line, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

static void keys_errf(char *err, size_t errlen, const char *file, unsigned line, const char *fmt,
                      ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_config_verrf(err, errlen, file, line, NULL, fmt, ap);
    va_end(ap);
}

/* ---- Z85 ---------------------------------------------------------------- */

int shoal_keys_z85_encode(const uint8_t key[SHOAL_KEY_BYTES], char out[SHOAL_KEY_Z85_LEN + 1])
{
    return zmq_z85_encode(out, key, SHOAL_KEY_BYTES) != NULL ? 0 : -EINVAL;
}

int shoal_keys_z85_decode(const char *z85, uint8_t key[SHOAL_KEY_BYTES], char *why, size_t whylen)
{
    size_t n = strlen(z85);

    if (n != SHOAL_KEY_Z85_LEN) {
        if (why != NULL) {
            snprintf(why, whylen, "bad length: expected %d Z85 characters, got %zu",
                     SHOAL_KEY_Z85_LEN, n);
        }
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (z85[i] == '\0' || strchr(keys_z85_alphabet, z85[i]) == NULL) {
            if (why != NULL) {
                if ((unsigned char)z85[i] > 0x20 && (unsigned char)z85[i] < 0x7f) {
                    snprintf(why, whylen, "bad Z85 character '%c' at column %zu", z85[i], i + 1);
                } else {
                    snprintf(why, whylen, "bad Z85 character 0x%02x at column %zu",
                             (unsigned char)z85[i], i + 1);
                }
            }
            return -EINVAL;
        }
    }
    /* Every character is in the alphabet; libzmq still refuses a group of 5
     * whose value exceeds 2^32 - 1. */
    if (zmq_z85_decode(key, z85) == NULL) {
        if (why != NULL) {
            snprintf(why, whylen, "bad Z85: a 5-character group exceeds 32 bits");
        }
        return -EINVAL;
    }
    return 0;
}

/* ---- files -------------------------------------------------------------- */

/* The directory of `path` into dir ("." or "/" when it has no other):
 * 0, or -ENAMETOOLONG (said in err). */
static int keys_dirname(const char *path, char dir[PATH_MAX], char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL || slash == path) {
        strcpy(dir, slash == NULL ? "." : "/");
        return 0;
    }
    if ((size_t)(slash - path) >= PATH_MAX) {
        keys_errf(err, errlen, path, 0, "path too long");
        return -ENAMETOOLONG;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return 0;
}

/* Create the missing directories above `path`, each mode 0700. */
static int keys_make_parent(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    char failed[PATH_MAX];
    int rc = keys_dirname(path, dir, err, errlen);

    if (rc < 0 || strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0) {
        return rc;
    }
    rc = shoal_mkdirs(dir, 0700, failed, sizeof(failed));
    if (rc < 0) {
        keys_errf(err, errlen, failed, 0, "cannot create the directory: %s", strerror(-rc));
    }
    return rc;
}

/* Refuse a key file in a directory that group or others may write (unless
 * sticky, as /tmp): they could put keys of their own in its place. */
static int keys_dir_check(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    struct stat st;
    int rc = keys_dirname(path, dir, err, errlen);

    if (rc < 0 || stat(dir, &st) < 0) {
        return rc; /* a directory that cannot be read is named by the open */
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
        keys_errf(err, errlen, dir, 0,
                  "mode %04o lets group or others replace the keys in it; refused (chmod 700 %s)",
                  (unsigned)(st.st_mode & 07777), dir);
        return -EPERM;
    }
    return 0;
}

/* Write all of buf to fd. */
static int keys_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/*
 * Write a private file (mode 0600): with O_CREAT|O_EXCL when !replace
 * (-EEXIST if it exists, err not set so the caller can decide), else into a
 * temporary file renamed over `path`.
 */
static int keys_write_private(const char *path, const char *buf, size_t len, bool replace,
                              char *err, size_t errlen)
{
    const char *target = path;
    char *tmp = NULL;
    int fd;
    int rc;

    rc = keys_make_parent(path, err, errlen);
    if (rc < 0 || (rc = keys_dir_check(path, err, errlen)) < 0) {
        return rc;
    }
    if (replace) {
        size_t plen = strlen(path);

        tmp = malloc(plen + sizeof(".XXXXXX"));
        if (tmp == NULL) {
            return -ENOMEM;
        }
        memcpy(tmp, path, plen);
        memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
        fd = mkstemp(tmp); /* O_EXCL, mode 0600 */
        target = tmp;
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        rc = -errno;
        if (rc != -EEXIST || replace) {
            keys_errf(err, errlen, target, 0, "cannot create: %s", strerror(errno));
        }
        goto out_free;
    }
    if (fchmod(fd, 0600) < 0 || (rc = keys_write_all(fd, buf, len)) < 0 || fsync(fd) < 0) {
        rc = rc < 0 ? rc : -errno;
        keys_errf(err, errlen, target, 0, "cannot write: %s", strerror(-rc));
        close(fd);
        goto out_unlink;
    }
    if (close(fd) < 0) {
        rc = -errno;
        keys_errf(err, errlen, target, 0, "cannot write: %s", strerror(errno));
        goto out_unlink;
    }
    if (replace && rename(tmp, path) < 0) {
        rc = -errno;
        keys_errf(err, errlen, path, 0, "cannot replace: %s", strerror(errno));
        goto out_unlink;
    }
    free(tmp);
    return 0;

out_unlink:
    unlink(target);
out_free:
    free(tmp);
    return rc;
}

/*
 * Open a key file for reading and check who may touch it: a regular file,
 * with no access bits in `forbidden` (077 for a secret key, 022 for the
 * allowed list), owned by this user or root.  Returns a stream or NULL with
 * *rc and err set.
 */
static FILE *keys_open_checked(const char *path, mode_t forbidden, const char *what, int *rc,
                               char *err, size_t errlen)
{
    struct stat st;
    FILE *f;
    int fd;

    *rc = keys_dir_check(path, err, errlen);
    if (*rc < 0) {
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *rc = -errno;
        keys_errf(err, errlen, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        *rc = -errno;
        keys_errf(err, errlen, path, 0, "fstat: %s", strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode)) {
        *rc = -EINVAL;
        keys_errf(err, errlen, path, 0, "not a regular file");
        goto out_close;
    }
    if ((st.st_mode & forbidden) != 0) {
        *rc = -EPERM;
        keys_errf(err, errlen, path, 0,
                  "mode %04o lets group or others %s the %s; refused (chmod 600 %s)",
                  (unsigned)(st.st_mode & 07777), forbidden == 077 ? "access" : "write", what,
                  path);
        goto out_close;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        *rc = -EPERM;
        keys_errf(err, errlen, path, 0, "owned by uid %u, not by this user (uid %u); refused",
                  (unsigned)st.st_uid, (unsigned)geteuid());
        goto out_close;
    }
    f = fdopen(fd, "r");
    if (f == NULL) {
        *rc = -errno;
        keys_errf(err, errlen, path, 0, "fdopen: %s", strerror(errno));
        goto out_close;
    }
    return f;

out_close:
    close(fd);
    return NULL;
}

/* Split a line in place into at most `max` blank-separated fields; returns
 * the number of fields found (max + 1 when there are more).  A line that is
 * blank or starts with '#' has 0 fields. */
static size_t keys_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p == '#') {
        return 0;
    }
    while (*p != '\0') {
        char *start = p;

        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            p++;
        }
        if (p > start) {
            if (n == max) {
                return max + 1;
            }
            fields[n++] = start;
        }
        if (*p == '\0') {
            break;
        }
        *p++ = '\0';
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        }
    }
    return n;
}

/*
 * The handler of one line of a key file: its fields (nf of them, nf == 3
 * when there are more than 2) and its number.  Returns 0, or a negative
 * errno with the message in the reader's err.
 */
typedef int (*keys_line_fn)(void *ctx, char **fields, size_t nf, unsigned lineno);

/*
 * Hand every line of f that is not blank or a comment to `fn`, until it
 * fails.  The line buffer is wiped when done, as it may have held a secret
 * key.  Returns 0, fn's error, or -EIO on a read error (err set).
 */
static int keys_read_lines(FILE *f, const char *path, keys_line_fn fn, void *ctx, char *err,
                           size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;

    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        char *fields[2];
        size_t nf;

        lineno++;
        nf = keys_split(line, fields, 2);
        if (nf != 0) {
            rc = fn(ctx, fields, nf, lineno);
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = -EIO;
        keys_errf(err, errlen, path, 0, "read error");
    }
    if (line != NULL) {
        explicit_bzero(line, cap);
    }
    free(line);
    return rc;
}

/* ---- key pair files ----------------------------------------------------- */

void shoal_keys_wipe(struct shoal_keypair *kp)
{
    if (kp != NULL) {
        explicit_bzero(kp, sizeof(*kp));
    }
}

/* A key pair file being read: where each of its lines was (0: not yet). */
struct keys_pair_reader {
    const char *path;
    struct shoal_keypair *out;
    unsigned node_line;
    unsigned public_line;
    unsigned secret_line;
    char *err;
    size_t errlen;
};

/* One line of a key pair file: "node NAME", "public KEY" or "secret KEY",
 * each at most once. */
static int keys_pair_line(void *ctx, char **fields, size_t nf, unsigned lineno)
{
    struct keys_pair_reader *rd = ctx;
    bool pub = strcmp(fields[0], "public") == 0;
    unsigned *seen = pub ? &rd->public_line : &rd->secret_line;
    char why[96];

    if (nf != 2) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno,
                  "expected \"node NAME\", \"public KEY\" or \"secret KEY\"");
        return -EINVAL;
    }
    if (strcmp(fields[0], "node") == 0) {
        if (rd->node_line != 0) {
            keys_errf(rd->err, rd->errlen, rd->path, lineno, "second node line (first at line %u)",
                      rd->node_line);
            return -EINVAL;
        }
        if (!shoal_layout_name_ok(fields[1])) {
            keys_errf(rd->err, rd->errlen, rd->path, lineno, "bad node name \"%s\"", fields[1]);
            return -EINVAL;
        }
        rd->node_line = lineno;
        snprintf(rd->out->name, sizeof(rd->out->name), "%s", fields[1]);
        return 0;
    }
    if (!pub && strcmp(fields[0], "secret") != 0) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno,
                  "unknown key \"%s\" (expected node, public or secret)", fields[0]);
        return -EINVAL;
    }
    if (*seen != 0) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno, "second %s key (first at line %u)",
                  fields[0], *seen);
        return -EINVAL;
    }
    if (shoal_keys_z85_decode(fields[1], pub ? rd->out->public_key : rd->out->secret_key, why,
                              sizeof(why)) < 0) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno, "%s key: %s", fields[0], why);
        return -EINVAL;
    }
    *seen = lineno;
    memcpy(pub ? rd->out->public_z85 : rd->out->secret_z85, fields[1], SHOAL_KEY_Z85_LEN + 1);
    return 0;
}

/* After the last line: both keys there, and the public one the secret
 * one's. */
static int keys_pair_check(const struct keys_pair_reader *rd)
{
    char derived[SHOAL_KEY_Z85_LEN + 1];

    if (rd->secret_line == 0 || rd->public_line == 0) {
        keys_errf(rd->err, rd->errlen, rd->path, 0, "no %s key line",
                  rd->secret_line == 0 ? "secret" : "public");
        return -EINVAL;
    }
    if (zmq_curve_public(derived, rd->out->secret_z85) != 0) {
        int rc = errno == ENOTSUP ? -ENOTSUP : -EINVAL;

        keys_errf(rd->err, rd->errlen, rd->path, rd->secret_line, "zmq_curve_public: %s",
                  zmq_strerror(errno));
        return rc;
    }
    if (strcmp(derived, rd->out->public_z85) != 0) {
        keys_errf(rd->err, rd->errlen, rd->path, rd->public_line,
                  "the public key does not belong to the secret key");
        return -EINVAL;
    }
    return 0;
}

int shoal_keys_load(const char *path, struct shoal_keypair *out, char *err, size_t errlen)
{
    struct keys_pair_reader rd = {.path = path, .out = out, .err = err, .errlen = errlen};
    FILE *f;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    f = keys_open_checked(path, 077, "secret key", &rc, err, errlen);
    if (f == NULL) {
        return rc;
    }
    rc = keys_read_lines(f, path, keys_pair_line, &rd, err, errlen);
    if (rc == 0) {
        rc = keys_pair_check(&rd);
    }
    fclose(f);
    if (rc < 0) {
        shoal_keys_wipe(out);
    }
    return rc;
}

int shoal_keys_generate(const char *path, const char *name, unsigned flags,
                        struct shoal_keypair *out, char *err, size_t errlen)
{
    struct shoal_keypair kp;
    char text[512];
    int len;
    int rc;

    memset(&kp, 0, sizeof(kp));
    if (!shoal_layout_name_ok(name)) {
        keys_errf(err, errlen, path, 0, "bad node name \"%s\"", name);
        return -EINVAL;
    }
    if (zmq_curve_keypair(kp.public_z85, kp.secret_z85) != 0) {
        rc = errno == ENOTSUP ? -ENOTSUP : -EINVAL;
        keys_errf(err, errlen, path, 0, "zmq_curve_keypair: %s (libzmq built without CURVE?)",
                  zmq_strerror(errno));
        goto out;
    }
    snprintf(kp.name, sizeof(kp.name), "%s", name);
    if (zmq_z85_decode(kp.public_key, kp.public_z85) == NULL ||
        zmq_z85_decode(kp.secret_key, kp.secret_z85) == NULL) {
        rc = -EINVAL;
        keys_errf(err, errlen, path, 0, "zmq_z85_decode refused a key libzmq made");
        goto out;
    }
    len = snprintf(text, sizeof(text),
                   "# Shoal CURVE key pair of node %s.  SECRET: keep this file mode 0600,\n"
                   "# readable by the node's user only.  The public key goes into the\n"
                   "# cluster's allowed-keys file.\n"
                   "node %s\npublic %s\nsecret %s\n",
                   name, name, kp.public_z85, kp.secret_z85);
    rc = keys_write_private(path, text, (size_t)len, (flags & SHOAL_KEYS_OVERWRITE) != 0, err,
                            errlen);
    if (rc == -EEXIST && (flags & SHOAL_KEYS_REUSE) != 0) {
        rc = shoal_keys_load(path, &kp, err, errlen);
        if (rc == 0 && kp.name[0] != '\0' && strcmp(kp.name, name) != 0) {
            keys_errf(err, errlen, path, 0, "holds the key of node %s, not of %s", kp.name, name);
            rc = -EINVAL;
        }
    } else if (rc == -EEXIST) {
        keys_errf(err, errlen, path, 0,
                  "exists; refusing to overwrite a key (remove it, or ask to overwrite)");
    }
    if (rc == 0 && out != NULL) {
        *out = kp;
    }

out:
    explicit_bzero(text, sizeof(text));
    shoal_keys_wipe(&kp);
    return rc;
}

/* ---- the allowed list --------------------------------------------------- */

int shoal_keys_allowed_write(const char *path, const struct shoal_allowed_key *keys, size_t n,
                             unsigned flags, char *err, size_t errlen)
{
    static const char header[] =
        "# Shoal cluster: the CURVE public keys allowed to talk to the nodes, one\n"
        "# \"node-name z85-public-key\" per line.  A peer whose key is not here is refused.\n";
    size_t cap = sizeof(header) + n * (SHOAL_LAYOUT_NAME_MAX + SHOAL_KEY_Z85_LEN + 3);
    size_t len = sizeof(header) - 1;
    char *buf;
    int rc;

    for (size_t i = 0; i < n; i++) {
        if (!shoal_layout_name_ok(keys[i].name)) {
            keys_errf(err, errlen, path, 0, "bad node name \"%s\"", keys[i].name);
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(keys[i].name, keys[j].name) == 0) {
                keys_errf(err, errlen, path, 0, "node %s listed twice", keys[i].name);
                return -EINVAL;
            }
        }
    }
    buf = malloc(cap);
    if (buf == NULL) {
        return -ENOMEM;
    }
    memcpy(buf, header, len);
    for (size_t i = 0; i < n; i++) {
        char z85[SHOAL_KEY_Z85_LEN + 1];

        shoal_keys_z85_encode(keys[i].key, z85);
        len += (size_t)snprintf(buf + len, cap - len, "%s %s\n", keys[i].name, z85);
    }
    rc = keys_write_private(path, buf, len,
                            (flags & (SHOAL_KEYS_OVERWRITE | SHOAL_KEYS_REUSE)) != 0, err, errlen);
    if (rc == -EEXIST) {
        keys_errf(err, errlen, path, 0, "exists; refusing to overwrite (ask to overwrite)");
    }
    free(buf);
    return rc;
}

void shoal_keys_allowed_free(struct shoal_keys_allowed *a)
{
    if (a == NULL) {
        return;
    }
    free(a->file);
    free(a->keys);
    free(a);
}

/* An allowed list being read, and the room in its array. */
struct keys_allowed_reader {
    const char *path;
    struct shoal_keys_allowed *a;
    size_t cap;
    char *err;
    size_t errlen;
};

/* Refuse k when its name or its key is already in the list. */
static int keys_allowed_unique(const struct keys_allowed_reader *rd,
                               const struct shoal_allowed_key *k)
{
    const struct shoal_keys_allowed *a = rd->a;

    for (size_t j = 0; j < a->n; j++) {
        if (strcmp(a->keys[j].name, k->name) == 0) {
            keys_errf(rd->err, rd->errlen, rd->path, k->line,
                      "node %s listed twice (first at line %u)", k->name, a->keys[j].line);
            return -EINVAL;
        }
        if (memcmp(a->keys[j].key, k->key, SHOAL_KEY_BYTES) == 0) {
            keys_errf(rd->err, rd->errlen, rd->path, k->line,
                      "the key of %s is also %s's (line %u)", k->name, a->keys[j].name,
                      a->keys[j].line);
            return -EINVAL;
        }
    }
    return 0;
}

/* Add k at the end of the list, growing it. */
static int keys_allowed_append(struct keys_allowed_reader *rd, const struct shoal_allowed_key *k)
{
    struct shoal_keys_allowed *a = rd->a;

    if (a->n == rd->cap) {
        size_t nc = rd->cap != 0 ? rd->cap * 2 : 16;
        struct shoal_allowed_key *nk = realloc(a->keys, nc * sizeof(*nk));

        if (nk == NULL) {
            return -ENOMEM;
        }
        a->keys = nk;
        rd->cap = nc;
    }
    a->keys[a->n++] = *k;
    return 0;
}

/* One line of the allowed list: "name z85-public-key", both new. */
static int keys_allowed_line(void *ctx, char **fields, size_t nf, unsigned lineno)
{
    struct keys_allowed_reader *rd = ctx;
    struct shoal_allowed_key k;
    char why[96];
    int rc;

    if (nf != 2) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno,
                  "expected \"node-name z85-public-key\", got %s",
                  nf == 1 ? "one field" : "more than two fields");
        return -EINVAL;
    }
    if (!shoal_layout_name_ok(fields[0])) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno, "bad node name \"%s\"", fields[0]);
        return -EINVAL;
    }
    memset(&k, 0, sizeof(k));
    if (shoal_keys_z85_decode(fields[1], k.key, why, sizeof(why)) < 0) {
        keys_errf(rd->err, rd->errlen, rd->path, lineno, "key of %s: %s", fields[0], why);
        return -EINVAL;
    }
    snprintf(k.name, sizeof(k.name), "%s", fields[0]);
    k.line = lineno;
    rc = keys_allowed_unique(rd, &k);
    return rc < 0 ? rc : keys_allowed_append(rd, &k);
}

int shoal_keys_allowed_load(const char *path, struct shoal_keys_allowed **out, char *err,
                            size_t errlen)
{
    struct keys_allowed_reader rd = {.path = path, .err = err, .errlen = errlen};
    FILE *f;
    int rc = 0;

    *out = NULL;
    rd.a = calloc(1, sizeof(*rd.a));
    if (rd.a == NULL) {
        return -ENOMEM;
    }
    rd.a->file = strdup(path);
    if (rd.a->file == NULL) {
        rc = -ENOMEM;
        goto out_free;
    }
    f = keys_open_checked(path, 022, "allowed keys", &rc, err, errlen);
    if (f == NULL) {
        goto out_free;
    }
    rc = keys_read_lines(f, path, keys_allowed_line, &rd, err, errlen);
    fclose(f);
    if (rc < 0) {
        goto out_free;
    }
    *out = rd.a;
    return 0;

out_free:
    if (rc == -ENOMEM) {
        keys_errf(err, errlen, path, 0, "out of memory");
    }
    shoal_keys_allowed_free(rd.a);
    return rc;
}

const char *shoal_keys_allowed_find(const struct shoal_keys_allowed *a,
                                    const uint8_t key[SHOAL_KEY_BYTES])
{
    for (size_t i = 0; a != NULL && i < a->n; i++) {
        if (memcmp(a->keys[i].key, key, SHOAL_KEY_BYTES) == 0) {
            return a->keys[i].name;
        }
    }
    return NULL;
}

const uint8_t *shoal_keys_allowed_key_of(const struct shoal_keys_allowed *a, const char *name)
{
    for (size_t i = 0; a != NULL && i < a->n; i++) {
        if (strcmp(a->keys[i].name, name) == 0) {
            return a->keys[i].key;
        }
    }
    return NULL;
}

/* ---- a whole layout ----------------------------------------------------- */

int shoal_keys_generate_layout(const struct shoal_layout *layout, unsigned flags, char *err,
                               size_t errlen)
{
    struct shoal_allowed_key *keys;
    size_t k = 0;
    int rc = 0;

    keys = calloc(layout->n_nodes + 1, sizeof(*keys));
    if (keys == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < layout->n_nodes; i++) {
        const struct shoal_layout_node *n = &layout->nodes[i];
        struct shoal_keypair kp;

        if (n->secret_key == NULL) {
            continue;
        }
        rc = shoal_keys_generate(n->secret_key, n->name, flags, &kp, err, errlen);
        if (rc < 0) {
            goto out_free;
        }
        snprintf(keys[k].name, sizeof(keys[k].name), "%s", n->name);
        memcpy(keys[k].key, kp.public_key, SHOAL_KEY_BYTES);
        k++;
        shoal_keys_wipe(&kp);
    }
    if (layout->allowed_keys != NULL) {
        /* The control shell's key, next to the allowed list. */
        const char *slash = strrchr(layout->allowed_keys, '/');
        char path[PATH_MAX];
        struct shoal_keypair kp;

        if (slash == NULL ||
            (size_t)snprintf(path, sizeof(path), "%.*s/%s.key", (int)(slash - layout->allowed_keys),
                             layout->allowed_keys, SHOAL_KEYS_CONTROL_NAME) >= sizeof(path)) {
            snprintf(err, errlen, "%s: no room for the control key next to it",
                     layout->allowed_keys);
            rc = -ENAMETOOLONG;
            goto out_free;
        }
        for (size_t i = 0; i < k; i++) {
            if (strcmp(keys[i].name, SHOAL_KEYS_CONTROL_NAME) == 0) {
                snprintf(err, errlen, "%s: node name %s is taken by the control shell's key",
                         layout->file ? layout->file : "layout", SHOAL_KEYS_CONTROL_NAME);
                rc = -EINVAL;
                goto out_free;
            }
        }
        rc = shoal_keys_generate(path, SHOAL_KEYS_CONTROL_NAME, flags, &kp, err, errlen);
        if (rc < 0) {
            goto out_free;
        }
        snprintf(keys[k].name, sizeof(keys[k].name), "%s", SHOAL_KEYS_CONTROL_NAME);
        memcpy(keys[k].key, kp.public_key, SHOAL_KEY_BYTES);
        k++;
        shoal_keys_wipe(&kp);
        rc = shoal_keys_allowed_write(layout->allowed_keys, keys, k, flags, err, errlen);
    }

out_free:
    free(keys);
    return rc;
}

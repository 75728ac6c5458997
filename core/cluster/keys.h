/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CURVE keys of the cluster (ZeroMQ's CurveZMQ, keys made by libzmq's
 * zmq_curve_keypair and written as Z85 text).  Every node has a key pair
 * file, readable only by its owner; the cluster has one allowed-public-keys
 * file listing "name z85-public-key" per line.  A node's sockets are CURVE
 * servers with its secret key; its ZAP handler looks the client's public
 * key (32 raw bytes) up in the allowed list and refuses any key not in it.
 * A client (a connecting node) takes the server's public key from the same
 * list by the server's name.
 *
 * Key pair file (mode 0600, in a directory created 0700):
 *     # comment lines and blank lines are ignored
 *     node worker-1
 *     public <40 Z85 characters>
 *     secret <40 Z85 characters>
 * Allowed-keys file (mode 0600, refused when group or others may write it):
 *     manager  <40 Z85 characters>
 *     worker-1 <40 Z85 characters>
 *
 * Every error names the file, and the line when there is one:
 * "FILE:LINE: reason".  Functions act on their arguments only and are
 * thread-safe; a loaded allowed list is immutable and may be searched from
 * any number of threads at once.
 */
#ifndef SHOAL_KEYS_H
#define SHOAL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/layout.h"

#define SHOAL_KEY_BYTES 32   /* a raw CURVE key */
#define SHOAL_KEY_Z85_LEN 40 /* its Z85 text, without the NUL */

/* Flags of the generating and writing functions. */
enum shoal_keys_flags {
    SHOAL_KEYS_OVERWRITE = 1 << 0, /* replace an existing file (atomically, by rename) */
    SHOAL_KEYS_REUSE = 1 << 1,     /* generate: load and keep an existing key pair file */
};

/* A node's key pair.  Wipe it with shoal_keys_wipe when done. */
struct shoal_keypair {
    char name[SHOAL_LAYOUT_NAME_MAX + 1]; /* from the file's "node" line, "" if none */
    uint8_t public_key[SHOAL_KEY_BYTES];
    uint8_t secret_key[SHOAL_KEY_BYTES];
    char public_z85[SHOAL_KEY_Z85_LEN + 1];
    char secret_z85[SHOAL_KEY_Z85_LEN + 1];
};

/* One entry of the allowed list. */
struct shoal_allowed_key {
    char name[SHOAL_LAYOUT_NAME_MAX + 1];
    uint8_t key[SHOAL_KEY_BYTES];
    unsigned line; /* line in the file, 0 when not read from one */
};

/* The allowed list, as loaded.  Owned by the caller (shoal_keys_allowed_free). */
struct shoal_keys_allowed {
    char *file;
    struct shoal_allowed_key *keys;
    size_t n;
};

/*
 * Encode a raw key as Z85 text (out gets 40 characters and a NUL).
 * Returns 0 (or -EINVAL if libzmq refuses, which it does not for 32 bytes).
 */
int shoal_keys_z85_encode(const uint8_t key[SHOAL_KEY_BYTES], char out[SHOAL_KEY_Z85_LEN + 1]);

/*
 * Decode 40 Z85 characters into a raw key.  Returns 0, or -EINVAL with a
 * reason in why (e.g. "bad length: expected 40 Z85 characters, got 39",
 * "bad Z85 character '~' at column 7"); why may be NULL.
 */
int shoal_keys_z85_decode(const char *z85, uint8_t key[SHOAL_KEY_BYTES], char *why, size_t whylen);

/*
 * Make a new key pair for node `name` and write it to `path` (mode 0600,
 * created with O_CREAT|O_EXCL; missing parent directories are created
 * 0700).  An existing file is refused (-EEXIST) unless flags has
 * SHOAL_KEYS_OVERWRITE (replaced by rename) or SHOAL_KEYS_REUSE (loaded
 * with shoal_keys_load and returned).  `out` may be NULL; otherwise it
 * receives the pair.  Returns 0 or a negative errno with "FILE: reason"
 * in err (-ENOTSUP when libzmq was built without CURVE).
 */
int shoal_keys_generate(const char *path, const char *name, unsigned flags,
                        struct shoal_keypair *out, char *err, size_t errlen);

/*
 * Read a key pair file.  Refused (-EPERM) when group or others have any
 * access to it or when it belongs to another user (root excepted), or when
 * it is not a regular file; refused (-EINVAL, "FILE:LINE: reason") for
 * unknown lines, a repeated line, a bad length or bad Z85, a missing public
 * or secret key, or a public key that does not belong to the secret key.
 * On error *out is wiped.
 */
int shoal_keys_load(const char *path, struct shoal_keypair *out, char *err, size_t errlen);

/* Overwrite a key pair's memory (explicit_bzero). */
void shoal_keys_wipe(struct shoal_keypair *kp);

/*
 * Write the allowed-public-keys file: one "name z85" line per entry, in the
 * order given, after a comment header.  Mode 0600.  An existing file is
 * refused (-EEXIST) unless flags has SHOAL_KEYS_OVERWRITE or
 * SHOAL_KEYS_REUSE (both replace it, by rename).  Names must be valid node
 * names and distinct.  Returns 0 or a negative errno with err set.
 */
int shoal_keys_allowed_write(const char *path, const struct shoal_allowed_key *keys, size_t n,
                             unsigned flags, char *err, size_t errlen);

/*
 * Read the allowed list.  Comment ('#') and blank lines are skipped; every
 * other line is "name z85".  Refused with "FILE:LINE: reason": a bad name,
 * a missing or extra field, a bad length or bad Z85, a name or a key listed
 * twice.  Refused (-EPERM) when group or others may write the file.  On
 * success *out is a new list (shoal_keys_allowed_free), else NULL.
 */
int shoal_keys_allowed_load(const char *path, struct shoal_keys_allowed **out, char *err,
                            size_t errlen);

/* Free a loaded list.  NULL is accepted. */
void shoal_keys_allowed_free(struct shoal_keys_allowed *a);

/*
 * The name of the node whose public key is `key` (32 raw bytes, as the ZAP
 * handler receives the client key of a CURVE handshake), or NULL when the
 * key is not allowed.  The string lives as long as the list.
 */
const char *shoal_keys_allowed_find(const struct shoal_keys_allowed *a,
                                    const uint8_t key[SHOAL_KEY_BYTES]);

/* The public key of node `name` (for a client's ZMQ_CURVE_SERVERKEY), or NULL. */
const uint8_t *shoal_keys_allowed_key_of(const struct shoal_keys_allowed *a, const char *name);

/* Key name and file name (<directory of the allowed list>/shoalctl.key)
 * of the control shell, which talks to every node's control port. */
#define SHOAL_KEYS_CONTROL_NAME "shoalctl"

/*
 * Make the keys a layout names: a key pair for every node that has a
 * secret_key path (shoal_keys_generate with `flags`), a key pair for the
 * control shell (SHOAL_KEYS_CONTROL_NAME, next to the allowed list; a node
 * of that name is refused), then the allowed list at layout->allowed_keys
 * with every node's public key and the shell's last.  What `shoalctl
 * install` runs.  Returns 0 or a negative errno with err set; keys written
 * before an error stay.
 */
int shoal_keys_generate_layout(const struct shoal_layout *layout, unsigned flags, char *err,
                               size_t errlen);

#endif

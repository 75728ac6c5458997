/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zeek's weird.zeek policy: the action of each weird name and the sets that
 * keep a weird from being logged again (see weird.h).
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/weird.h"

#define WEIRD_SETS 4096         /* two entries each */
#define WEIRD_IGNORE_SECS 600.0 /* Weird::weird_ignore's &create_expire */
#define WEIRD_DID_SECS 86400.0  /* Weird::did_log's and did_notice's */

/* Weird::Action, those the engine's and analyzers' weirds can have. */
enum weird_action {
    WA_LOG = 0, /* the default */
    WA_IGNORE,
    WA_LOG_PER_CONN,
    WA_LOG_PER_ORIG,
    WA_NOTICE_PER_ORIG,
};

struct weird_rule {
    const char *name;
    uint8_t action;
};

/* Weird::actions, the names whose action is not ACTION_LOG, sorted by
 * strcmp for bsearch. */
static const struct weird_rule weird_rules[] = {
    {"DNS_label_forward_compress_offset", WA_LOG_PER_ORIG},
    {"DNS_label_len_gt_name_len", WA_LOG_PER_ORIG},
    {"DNS_label_len_gt_pkt", WA_LOG_PER_ORIG},
    {"DNS_label_too_long", WA_LOG_PER_ORIG},
    {"FIN_after_reset", WA_IGNORE},
    {"FIN_storm", WA_NOTICE_PER_ORIG},
    {"FTP_arg_too_long", WA_LOG_PER_CONN},
    {"FTP_max_command_length_exceeded", WA_LOG_PER_CONN},
    {"FTP_password_too_long", WA_LOG_PER_CONN},
    {"FTP_reply_msg_too_long", WA_LOG_PER_CONN},
    {"FTP_too_many_pending_commands", WA_LOG_PER_CONN},
    {"FTP_user_too_long", WA_LOG_PER_CONN},
    {"SYN_after_partial", WA_NOTICE_PER_ORIG},
    {"SYN_with_data", WA_LOG_PER_ORIG},
    {"UDP_datagram_length_mismatch", WA_LOG_PER_ORIG},
    {"bad_ICMP_checksum", WA_LOG_PER_ORIG},
    {"bad_IP_checksum", WA_LOG_PER_ORIG},
    {"bad_RPC", WA_LOG_PER_ORIG},
    {"bad_TCP_checksum", WA_LOG_PER_ORIG},
    {"bad_UDP_checksum", WA_LOG_PER_ORIG},
    {"connection_originator_SYN_ack", WA_LOG_PER_ORIG},
    {"excess_RPC", WA_LOG_PER_ORIG},
    {"excessively_small_fragment", WA_LOG_PER_ORIG},
    {"fragment_inconsistency", WA_LOG_PER_ORIG},
    {"fragment_overlap", WA_LOG_PER_ORIG},
    {"fragment_size_inconsistency", WA_LOG_PER_ORIG},
    {"originator_RPC_reply", WA_LOG_PER_ORIG},
    {"partial_RPC", WA_LOG_PER_ORIG},
    {"responder_RPC_call", WA_LOG_PER_ORIG},
    {"simultaneous_open", WA_LOG_PER_CONN},
    {"smb_tree_connect_andx_response_without_tree", WA_LOG_PER_CONN},
    {"smtp_excessive_invalid_mail_transactions", WA_LOG_PER_CONN},
    {"smtp_mail_transaction_invalid", WA_LOG_PER_CONN},
    {"spontaneous_FIN", WA_IGNORE},
    {"spontaneous_RST", WA_IGNORE},
    {"successful_RPC_reply_to_invalid_request", WA_NOTICE_PER_ORIG},
    {"unsolicited_SYN_response", WA_IGNORE},
};

/* One remembered (set, name, identifier): its hash and when it expires. */
struct shoal_weird_slot {
    uint64_t key;
    double expire;
};

static int rule_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const struct weird_rule *)e)->name);
}

static enum weird_action weird_action(const char *name)
{
    const struct weird_rule *r =
        bsearch(name, weird_rules, sizeof(weird_rules) / sizeof(*r), sizeof(*r), rule_cmp);
    return r != NULL ? (enum weird_action)r->action : WA_LOG;
}

/* Weird::weird_do_not_ignore_repeats */
static bool weird_repeats(const char *name)
{
    return strcmp(name, "bad_IP_checksum") == 0 || strcmp(name, "bad_TCP_checksum") == 0 ||
           strcmp(name, "bad_UDP_checksum") == 0 || strcmp(name, "bad_ICMP_checksum") == 0;
}

/* Which identifier a set entry is about. */
enum weird_ident {
    WI_ID,   /* the weird's own: a connection's 4-tuple, a flow's pair, none */
    WI_ORIG, /* its originator (a flow's source) */
};

/* The hash of (set, name, identifier). */
static uint64_t weird_key(char set, const char *name, const struct shoal_weird_about *ab,
                          enum weird_ident id)
{
    struct {
        uint8_t b[2 * 16 + 8];
    } k;
    size_t n = 0;

    memset(&k, 0, sizeof(k));
    k.b[n++] = (uint8_t)set;
    if (ab->orig_h != NULL) {
        memcpy(k.b + n, ab->orig_h->b, 16);
        n += 16;
        if (id == WI_ID && ab->resp_h != NULL) {
            memcpy(k.b + n, ab->resp_h->b, 16);
            n += 16;
            k.b[n++] = (uint8_t)(ab->orig_p >> 8);
            k.b[n++] = (uint8_t)ab->orig_p;
            k.b[n++] = (uint8_t)(ab->resp_p >> 8);
            k.b[n++] = (uint8_t)ab->resp_p;
            k.b[n++] = ab->orig_p < 0 ? 'F' : 'C';
        }
    }
    uint64_t h = XXH3_64bits(k.b, n) ^ XXH3_64bits(name, strlen(name));
    return h | 1; /* 0 marks an empty slot */
}

/* Is `key` in the table (and not expired)? */
static bool weird_has(const struct shoal_weird_state *ws, uint64_t key, double now)
{
    const struct shoal_weird_slot *s = &ws->slots[2 * (key % WEIRD_SETS)];
    for (int i = 0; i < 2; i++) {
        if (s[i].key == key && s[i].expire > now) {
            return true;
        }
    }
    return false;
}

/* Remember `key` for `secs` (from now, as &create_expire). */
static void weird_add(struct shoal_weird_state *ws, uint64_t key, double now, double secs)
{
    struct shoal_weird_slot *s = &ws->slots[2 * (key % WEIRD_SETS)];
    int v = 0;
    for (int i = 0; i < 2; i++) {
        if (s[i].key == key || s[i].key == 0 || s[i].expire <= now) {
            v = i;
            break;
        }
        if (s[i].expire < s[v].expire) {
            v = i;
        }
    }
    s[v].key = key;
    s[v].expire = now + secs;
}

bool shoal_weird_admit(struct shoal_weird_state *ws, double now, const char *name,
                       const struct shoal_weird_about *ab, bool *notice)
{
    enum weird_action a = weird_action(name);

    *notice = a == WA_NOTICE_PER_ORIG;
    if (a == WA_IGNORE) {
        return false;
    }
    if (ws->slots == NULL) {
        ws->slots = calloc(2 * WEIRD_SETS, sizeof(*ws->slots));
        if (ws->slots == NULL) {
            return true;
        }
    }
    if (weird_has(ws, weird_key('I', name, ab, WI_ID), now)) {
        return false;
    }
    if (a != WA_LOG) {
        /* did_log / did_notice: per connection is by its identifier. */
        uint64_t k =
            weird_key(*notice ? 'N' : 'L', name, ab, a == WA_LOG_PER_CONN ? WI_ID : WI_ORIG);
        if (weird_has(ws, k, now)) {
            return false;
        }
        weird_add(ws, k, now, WEIRD_DID_SECS);
    }
    if (!weird_repeats(name)) {
        weird_add(ws, weird_key('I', name, ab, WI_ID), now, WEIRD_IGNORE_SECS);
    }
    return true;
}

void shoal_weird_state_free(struct shoal_weird_state *ws)
{
    free(ws->slots);
    ws->slots = NULL;
}

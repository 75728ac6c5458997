/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scan plugin: Zeek's policy/misc/scan.zeek.  Every TCP connection that
 * ends as a failed attempt (unanswered SYN, rejected, reset before any data)
 * is one probe of its originator (or, when only the responder's SYN-ACK was
 * seen, of its responder: a "reverse" scan).  Two distinct-count statistics
 * add the probes up across the whole cluster (the proxies count them):
 *   scan.addr: key (scanner, port), members the distinct victims: at
 *              addr_threshold (25) within addr_interval (5 min) of the first
 *              probe, notice Scan::Address_Scan;
 *   scan.port: key (scanner, victim), members the distinct ports: at
 *              port_threshold (15) within port_interval (5 min), notice
 *              Scan::Port_Scan.
 * The notices carry Zeek's message, sub ("local" or "remote" scanner) and
 * identifier (the scanner's address), so the manager suppresses repeats for
 * an hour as Zeek does.
 *
 * The plugin is a policy: it is attached to no connection and sees every
 * connection's end.  Probes are counted when a
 * connection leaves the table, as of the time of its last packet (Zeek
 * counts an unanswered SYN at tcp_attempt_delay, 5 s after it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* SHOAL_SUMSTAT_MAX_THRESHOLD, as the bound of the threshold keys. */
#define SCAN_MAX_THRESHOLD "4096"

struct scan_config {
    int64_t addr_threshold;
    double addr_interval;
    int64_t port_threshold;
    double port_interval;
};

static const struct shoal_cfg_key scan_cfg_keys[] = {
    {"addr_threshold", SHOAL_CFG_INT, "25", false,
     "distinct hosts one source must fail to reach on one port: Scan::Address_Scan",
     offsetof(struct scan_config, addr_threshold), "1", SCAN_MAX_THRESHOLD},
    {"addr_interval", SHOAL_CFG_DOUBLE, "300", false,
     "seconds from a source's first failed attempt within which they count",
     offsetof(struct scan_config, addr_interval), "0.001", NULL},
    {"port_threshold", SHOAL_CFG_INT, "15", false,
     "distinct ports one source must fail to reach on one host: Scan::Port_Scan",
     offsetof(struct scan_config, port_threshold), "1", SCAN_MAX_THRESHOLD},
    {"port_interval", SHOAL_CFG_DOUBLE, "300", false,
     "seconds from a source's first failed attempt on a host within which they count",
     offsetof(struct scan_config, port_interval), "0.001", NULL},
    {0},
};

struct scan_state {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct shoal_sumstat addr_def;
    struct shoal_sumstat port_def;
    int addr_h;
    int port_h;
};

/* Keys: the scanner's address, then the port (big-endian) or the victim. */
#define SCAN_ADDR_KEY_LEN (16 + 2)
#define SCAN_PORT_KEY_LEN (16 + 16)

static void scan_addr_str(const uint8_t b[16], char *buf, size_t len)
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (memcmp(b, v4mapped, 12) == 0) {
        inet_ntop(AF_INET, b + 12, buf, (socklen_t)len);
    } else {
        inet_ntop(AF_INET6, b, buf, (socklen_t)len);
    }
}

/* Zeek's duration_to_mins_secs: whole minutes and seconds, "2m3s". */
static void scan_mins_secs(double dur, char *buf, size_t len)
{
    unsigned long long s = dur > 0 ? (unsigned long long)dur : 0;

    snprintf(buf, len, "%llum%llus", s / 60, s % 60);
}

static void scan_raise(struct scan_state *st, const char *note, const uint8_t *scanner,
                       const uint8_t *victim, int port, const char *msg)
{
    struct shoal_addr src, dst;
    char ident[INET6_ADDRSTRLEN];

    memcpy(src.b, scanner, 16);
    scan_addr_str(scanner, ident, sizeof(ident));
    if (victim != NULL) {
        memcpy(dst.b, victim, 16);
    }
    struct shoal_notice n = {
        .size = sizeof(n),
        .note = note,
        .msg = msg,
        .sub = st->an->is_local_addr(st->self, &src) ? "local" : "remote",
        .src = &src,
        .dst = victim != NULL ? &dst : NULL,
        .p = port,
        .p_proto = SHOAL_PROTO_TCP,
        .identifier = ident,
        .suppress_for = -1,
    };
    st->an->notice(st->self, &n);
}

static void scan_addr_crossed(void *arg, const struct shoal_sumstat_result *r)
{
    struct scan_state *st = arg;
    const uint8_t *k = r->key;
    char who[INET6_ADDRSTRLEN], dur[48], msg[256];
    int port;

    if (r->klen != SCAN_ADDR_KEY_LEN) {
        return;
    }
    port = k[16] << 8 | k[17];
    scan_addr_str(k, who, sizeof(who));
    scan_mins_secs(r->end - r->begin, dur, sizeof(dur));
    snprintf(msg, sizeof(msg), "%s scanned at least %llu unique hosts on port %d/tcp in %s", who,
             (unsigned long long)r->unique, port, dur);
    scan_raise(st, "Scan::Address_Scan", k, NULL, port, msg);
}

static void scan_port_crossed(void *arg, const struct shoal_sumstat_result *r)
{
    struct scan_state *st = arg;
    const uint8_t *k = r->key;
    char who[INET6_ADDRSTRLEN], victim[INET6_ADDRSTRLEN], dur[48], msg[256];

    if (r->klen != SCAN_PORT_KEY_LEN) {
        return;
    }
    scan_addr_str(k, who, sizeof(who));
    scan_addr_str(k + 16, victim, sizeof(victim));
    scan_mins_secs(r->end - r->begin, dur, sizeof(dur));
    snprintf(msg, sizeof(msg), "%s scanned at least %llu unique ports of host %s in %s", who,
             (unsigned long long)r->unique, victim, dur);
    scan_raise(st, "Scan::Port_Scan", k, k + 16, -1, msg);
}

/* A 64-bit digest of an address: a member of scan.addr. */
static uint64_t scan_addr_member(const uint8_t b[16])
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then a final mix */

    for (int i = 0; i < 16; i++) {
        h = (h ^ b[i]) * 0x100000001b3ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static void scan_probe(struct scan_state *st, const struct shoal_addr *scanner,
                       const struct shoal_addr *victim, uint16_t port, double ts)
{
    uint8_t k[SCAN_PORT_KEY_LEN];

    memcpy(k, scanner->b, 16);
    k[16] = (uint8_t)(port >> 8);
    k[17] = (uint8_t)port;
    st->an->sumstat_observe(st->self, st->addr_h, k, SCAN_ADDR_KEY_LEN, scan_addr_member(victim->b),
                            ts);
    memcpy(k + 16, victim->b, 16);
    st->an->sumstat_observe(st->self, st->port_h, k, SCAN_PORT_KEY_LEN, port, ts);
}

/*
 * Was `c` a failed attempt, and whose?  Returns 1 (the originator probed
 * the responder), -1 (reverse: the responder answered a SYN we never saw,
 * then nothing), or 0.  As scan.zeek's connection_attempt,
 * connection_rejected and connection_reset with is_failed_conn /
 * is_reverse_failed_conn, read from conn_state and history.
 */
static int scan_failed(const char *state, const char *hist)
{
    bool data = strpbrk(hist, "Dd") != NULL;
    bool rev = strchr(hist, 'H') != NULL || strchr(hist, 's') != NULL;

    if (strcmp(state, "S0") == 0 || strcmp(state, "REJ") == 0) {
        return rev ? -1 : 1;
    }
    if (data) {
        return 0;
    }
    if ((strcmp(state, "RSTO") == 0 || strcmp(state, "RSTOS0") == 0 ||
         strcmp(state, "RSTR") == 0) &&
        strchr(hist, 'S') != NULL) {
        return 1;
    }
    if (strcmp(state, "RSTRH") == 0 || strcmp(state, "SH") == 0 || strcmp(state, "SHR") == 0) {
        return strchr(hist, 'H') != NULL ? -1 : 0;
    }
    return 0;
}

static void scan_conn_removed(void *ps, struct shoal_conn *c)
{
    struct scan_state *st = ps;
    const struct shoal_conn_id *id = st->an->conn_id(st->self, c);
    char hist[SHOAL_HISTORY_SIZE];

    if (id->proto != SHOAL_PROTO_TCP) {
        return;
    }
    int f = scan_failed(st->an->conn_state(st->self, c), st->an->conn_history(st->self, c, hist));
    /* The probe counts as of its last packet (the SYN, or the reset), not
     * of when the attempt left the table. */
    double ts = st->an->conn_last(st->self, c);
    if (f > 0) {
        scan_probe(st, &id->orig_h, &id->resp_h, id->resp_p, ts);
    } else if (f < 0) {
        scan_probe(st, &id->resp_h, &id->orig_h, id->orig_p, ts);
    }
}

/* The keys' defaults, for a host that passes no config (tests). */
static const struct scan_config scan_defaults = {25, 300.0, 15, 300.0};

static int scan_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    const struct scan_config *cfg = config != NULL ? config : &scan_defaults;
    struct scan_state *st;

    st = host->alloc(self, sizeof(*st));
    if (st == NULL) {
        return -ENOMEM;
    }
    st->host = host;
    st->an = host->analyzer;
    st->self = self;
    st->addr_def = (struct shoal_sumstat){
        .size = sizeof(st->addr_def),
        .name = "scan.addr",
        .threshold = (uint64_t)cfg->addr_threshold,
        .epoch = cfg->addr_interval,
        .crossed = scan_addr_crossed,
        .arg = st,
    };
    st->port_def = (struct shoal_sumstat){
        .size = sizeof(st->port_def),
        .name = "scan.port",
        .threshold = (uint64_t)cfg->port_threshold,
        .epoch = cfg->port_interval,
        .crossed = scan_port_crossed,
        .arg = st,
    };
    st->addr_h = st->an->sumstat_declare(self, &st->addr_def);
    st->port_h = st->an->sumstat_declare(self, &st->port_def);
    if (st->addr_h < 0 || st->port_h < 0) {
        int rc = st->addr_h < 0 ? st->addr_h : st->port_h;
        host->logf(self, SHOAL_LOG_ERROR, "cannot declare the scan statistics: %s", strerror(-rc));
        host->free(self, st);
        return rc;
    }
    *state = st;
    return 0;
}

static void scan_fini(void *state)
{
    struct scan_state *st = state;

    if (st != NULL) {
        st->host->free(st->self, st);
    }
}

static const struct shoal_policy_ops scan_ops = {
    .size = sizeof(struct shoal_policy_ops),
    .conn_removed = scan_conn_removed,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin scan_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "scan",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_POLICY,
    .summary = "address and port scan detection (Scan::Address_Scan, Scan::Port_Scan)",
    .config = scan_cfg_keys,
    .config_size = sizeof(struct scan_config),
    .init = scan_init,
    .fini = scan_fini,
    .ops = &scan_ops,
};

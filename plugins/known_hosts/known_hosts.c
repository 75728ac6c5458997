/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The known_hosts plugin: Zeek's policy/protocols/conn/known-hosts.zeek.
 * Every local address (networks.local in shoal.cfg) seen on either side of
 * a TCP connection whose handshake completed is a known host; known_hosts.log
 * gets each one once per `expiry` (a day, Zeek's Known::host_store_expiry)
 * with the network time it was first seen.
 *
 * "Once" holds across a cluster: the hosts are a distinct-count statistic
 * with threshold 1 whose key is the address, counted by the proxy that owns
 * the key, which writes the record (to the manager).  Workers stop sending a
 * host once its proxy publishes that it is known.
 */
#include <errno.h>
#include <string.h>

#include <shoal/shoal.h>

struct kh_config {
    double expiry;
};

static const struct shoal_cfg_key kh_cfg_keys[] = {
    {"expiry", SHOAL_CFG_DOUBLE, "86400", false,
     "seconds after which a known host is logged again (Known::host_store_expiry)",
     offsetof(struct kh_config, expiry), "0.001", NULL},
    {0},
};

static const struct shoal_field kh_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"host", SHOAL_T_ADDR, 0},
};

struct kh_state {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct shoal_sumstat def;
    int h;
    struct shoal_stream *log;
};

static void kh_crossed(void *arg, const struct shoal_sumstat_result *r)
{
    struct kh_state *st = arg;
    struct shoal_addr a;
    struct shoal_value v[2];

    if (r->klen != sizeof(a.b)) {
        return;
    }
    if (st->log == NULL) {
        st->log = st->an->stream_open(st->self, "known_hosts", kh_fields, 2);
        if (st->log == NULL) {
            return;
        }
    }
    memcpy(a.b, r->key, sizeof(a.b));
    v[0] = shoal_v_double(r->end);
    v[1] = shoal_v_addr(&a);
    st->an->stream_write(st->self, st->log, v);
}

static void kh_conn_established(void *ps, struct shoal_conn *c)
{
    struct kh_state *st = ps;
    const struct shoal_conn_id *id = st->an->conn_id(st->self, c);

    if (st->an->is_local_addr(st->self, &id->orig_h)) {
        st->an->sumstat_observe(st->self, st->h, id->orig_h.b, sizeof(id->orig_h.b), 0, 0);
    }
    if (st->an->is_local_addr(st->self, &id->resp_h) &&
        memcmp(id->resp_h.b, id->orig_h.b, sizeof(id->resp_h.b)) != 0) {
        st->an->sumstat_observe(st->self, st->h, id->resp_h.b, sizeof(id->resp_h.b), 0, 0);
    }
}

/* The keys' defaults, for a host that passes no config (tests). */
static const struct kh_config kh_defaults = {86400.0};

static int kh_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                   void **state)
{
    const struct kh_config *cfg = config != NULL ? config : &kh_defaults;
    struct kh_state *st;

    st = host->alloc(self, sizeof(*st));
    if (st == NULL) {
        return -ENOMEM;
    }
    st->host = host;
    st->an = host->analyzer;
    st->self = self;
    st->def = (struct shoal_sumstat){
        .size = sizeof(st->def),
        .name = "known_hosts",
        .threshold = 1,
        .epoch = cfg->expiry,
        .crossed = kh_crossed,
        .arg = st,
    };
    st->h = st->an->sumstat_declare(self, &st->def);
    if (st->h < 0) {
        int rc = st->h;
        host->logf(self, SHOAL_LOG_ERROR, "cannot declare the known hosts: %s", strerror(-rc));
        host->free(self, st);
        return rc;
    }
    *state = st;
    return 0;
}

static void kh_fini(void *state)
{
    struct kh_state *st = state;

    if (st != NULL) {
        st->host->free(st->self, st);
    }
}

static const struct shoal_policy_ops kh_ops = {
    .size = sizeof(struct shoal_policy_ops),
    .conn_established = kh_conn_established,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin known_hosts_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "known_hosts",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_POLICY,
    .summary = "local hosts with completed TCP handshakes, once a day (known_hosts.log)",
    .config = kh_cfg_keys,
    .config_size = sizeof(struct kh_config),
    .init = kh_init,
    .fini = kh_fini,
    .ops = &kh_ops,
};

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xmpp analyzer plugin.  As Zeek's XMPP analyzer it writes no log of
 * its own: it confirms the service when the client opens a
 * <stream:stream>, and when the server answers a client's <starttls> with
 * <proceed> it hands the connection to the ssl analyzer (the host's
 * attach, ABI 2.3) and detaches, so conn.log's service reads "xmpp,ssl"
 * and ssl.log has the TLS session.  After <success> (the handshake passed
 * the point of STARTTLS) it detaches too.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <shoal/shoal.h>

#include "xmpp_parse.h"

#define XMPP_COUNTERS(X)                                                                           \
    X(sessions, "connections the analyzer attached to")                                            \
    X(starttls, "connections handed to TLS after STARTTLS")                                        \
    X(violations, "protocol violations")

struct xmpp_counters {
#define XMPP_COUNTER_FIELD(name, help) uint64_t *name;
    XMPP_COUNTERS(XMPP_COUNTER_FIELD)
};

struct xmpp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct xmpp_counters n;
};

struct xmpp_conn {
    struct xmpp_parser parser;
    struct xmpp_plugin *ps;
    struct shoal_conn *c;
    bool counted;
    bool client_starttls;
    bool done; /* handed over, or past the point of STARTTLS */
};

/* The name without its namespace prefix ("stream:features" -> "features"). */
static bool xmpp_is(const char *name, size_t len, const char *want)
{
    const char *colon = memchr(name, ':', len);
    if (strcmp(name, want) == 0) {
        return true;
    }
    return colon != NULL && colon + 1 < name + len && strcmp(colon + 1, want) == 0;
}

static void xmpp_tag(void *ud, bool is_orig, const char *name, size_t len)
{
    struct xmpp_conn *xc = ud;
    struct xmpp_plugin *ps = xc->ps;

    if (xc->done) {
        return;
    }
    if (is_orig && strcmp(name, "stream:stream") == 0) {
        ps->an->confirm(ps->self, xc->c);
    }
    if (xmpp_is(name, len, "success")) {
        xc->done = true;
        return;
    }
    if (is_orig && xmpp_is(name, len, "starttls")) {
        xc->client_starttls = true;
    }
    if (!is_orig && xmpp_is(name, len, "proceed")) {
        if (!xc->client_starttls) {
            ps->an->weird(ps->self, xc->c, "XMPP: proceed without starttls", NULL, "");
            return;
        }
        if (ps->an->attach(ps->self, xc->c, "ssl") == 0) {
            (*ps->n.starttls)++;
        }
        xc->done = true;
    }
}

static int xmpp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct xmpp_plugin *ps = plugin;
    struct xmpp_conn *xc = conn;

    xc->ps = ps;
    xc->c = c;
    if (!xc->counted) {
        xc->counted = true;
        (*ps->n.sessions)++;
    }
    if (!xmpp_parse_data(&xc->parser, is_orig, data, len, xmpp_tag, xc)) {
        (*ps->n.violations)++;
        ps->an->violation(ps->self, c, "not XMPP");
        return SHOAL_AN_DETACH;
    }
    return xc->done ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void xmpp_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct xmpp_conn *xc = conn;
    (void)plugin;
    (void)c;
    (void)len;
    /* A tag cut by the gap is dropped: resume between tags. */
    xc->parser.d[is_orig].state = 0;
}

static void xmpp_fini(void *state)
{
    struct xmpp_plugin *ps = state;
    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int xmpp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct xmpp_plugin *ps;

    (void)config;
    if (!SHOAL_HAS(host->analyzer, attach)) {
        host->logf(self, SHOAL_LOG_ERROR, "the core is too old: it lacks ABI %d.3's attach",
                   SHOAL_ABI_MAJOR);
        return -ENOTSUP;
    }
    ps = host->alloc(self, sizeof(*ps));
    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
#define XMPP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    XMPP_COUNTERS(XMPP_COUNTER_INIT)
    *state = ps;
    return 0;
}

/* Zeek's XMPP ports (client to server, server to server). */
static const struct shoal_port xmpp_ports[] = {
    {SHOAL_PROTO_TCP, 5222},
    {SHOAL_PROTO_TCP, 5269},
    {0, 0},
};

static const struct shoal_analyzer_ops xmpp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "xmpp",
    .ports = xmpp_ports,
    .conn_size = sizeof(struct xmpp_conn),
    .data = xmpp_data,
    .gap = xmpp_gap,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin xmpp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "xmpp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary =
        "XMPP analyzer: confirms the service, hands STARTTLS sessions to ssl (no log, as Zeek's)",
    .init = xmpp_init,
    .fini = xmpp_fini,
    .ops = &xmpp_ops,
};

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SNMP message parsing (see snmp_parse.h).  A message is a SEQUENCE with
 * the version, then a header by version (a community string; or v3's
 * global data, security parameters and scoped PDU, plaintext or
 * encrypted), then the PDU chosen by its context tag.  As in Zeek, the
 * lengths of constructed encodings (sequences, the PDU) are read but not
 * enforced: their contents are parsed field by field, and the variable
 * bindings run to the end of the datagram.
 */
#include "snmp_parse.h"

#include <stdio.h>
#include <string.h>

#define ASN1_INTEGER 0x02
#define ASN1_OCTET_STRING 0x04
#define ASN1_OID 0x06
#define ASN1_SEQUENCE 0x30
#define APP_IPADDRESS 0x40
#define APP_COUNTER32 0x41
#define APP_UNSIGNED32 0x42
#define APP_TIMETICKS 0x43
#define APP_COUNTER64 0x46
#define ASN1_INT_MAX_WIDTH 9
#define SNMP_USM 3 /* msgSecurityModel of the user-based security model */
#define SNMP_OID_TEXT_MAX 128

/* PDU context tags. */
enum snmp_pdu_tag {
    PDU_GET = 0xa0,
    PDU_GET_NEXT = 0xa1,
    PDU_RESPONSE = 0xa2,
    PDU_SET = 0xa3,
    PDU_TRAP = 0xa4,
    PDU_GET_BULK = 0xa5,
    PDU_INFORM = 0xa6,
    PDU_TRAP_V2 = 0xa7,
    PDU_REPORT = 0xa8,
};

static const char sys_descr_oid[] = "1.3.6.1.2.1.1.1.0";
static const char sys_uptime_oid[] = "1.3.6.1.2.1.1.3.0";

/* A read cursor over the datagram. */
struct cur {
    const uint8_t *p;
    size_t len;
    size_t off;
};

/* One encoding: its tag and content. */
struct tlv {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
};

/* The tag and length octets (short or long form); false past the end. */
static bool ber_meta(struct cur *c, uint8_t *tag, uint64_t *len)
{
    if (c->len - c->off < 2) {
        return false;
    }
    *tag = c->p[c->off];
    uint8_t l = c->p[c->off + 1];
    c->off += 2;
    if (!(l & 0x80)) {
        *len = l;
        return true;
    }
    size_t n = l & 0x7f;
    if (n > c->len - c->off) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (v >> 56) {
            v = UINT64_MAX; /* wider than anything a datagram holds */
            continue;
        }
        v = (v << 8) | c->p[c->off + i];
    }
    c->off += n;
    *len = v;
    return true;
}

/* A whole encoding; with want >= 0, its tag must be want. */
static bool ber_tlv(struct cur *c, int want, struct tlv *t)
{
    uint64_t len;

    if (!ber_meta(c, &t->tag, &len) || len > c->len - c->off) {
        return false;
    }
    if (want >= 0 && t->tag != want) {
        return false;
    }
    t->v = c->p + c->off;
    t->len = (size_t)len;
    c->off += (size_t)len;
    return true;
}

/* A sequence header (its content is read by what follows). */
static bool ber_seq(struct cur *c)
{
    uint8_t tag;
    uint64_t len;

    return ber_meta(c, &tag, &len) && tag == ASN1_SEQUENCE;
}

/* Big-endian bytes as Zeek's binary_to_int64 reads them (no sign). */
static uint64_t ber_u64(const uint8_t *v, size_t len)
{
    uint64_t r = 0;

    for (size_t i = 0; i < len; i++) {
        r = (r << 8) | v[i];
    }
    return r;
}

static bool ber_int(struct cur *c, int64_t *out)
{
    struct tlv t;

    if (!ber_tlv(c, ASN1_INTEGER, &t) || t.len > ASN1_INT_MAX_WIDTH) {
        return false;
    }
    if (out != NULL) {
        *out = (int64_t)ber_u64(t.v, t.len);
    }
    return true;
}

/* An OID's dotted text (the first octet is X*40+Y, then base-128). */
static void ber_oid_text(const uint8_t *v, size_t len, char *out, size_t size)
{
    size_t n = 0;
    uint64_t sub = 0;

    out[0] = '\0';
    if (len == 0) {
        return;
    }
    n = (size_t)snprintf(out, size, "%u.%u", v[0] / 40, v[0] % 40);
    for (size_t i = 1; i < len && n < size; i++) {
        sub = (sub << 7) | (v[i] & 0x7f);
        if (!(v[i] & 0x80)) {
            n += (size_t)snprintf(out + n, size - n, ".%llu", (unsigned long long)sub);
            sub = 0;
        }
    }
}

/* One variable binding: name and value. */
static bool snmp_varbind(struct cur *c, struct snmp_msg *m)
{
    struct tlv name, val;
    char oid[SNMP_OID_TEXT_MAX];

    if (!ber_seq(c) || !ber_tlv(c, ASN1_OID, &name) || !ber_tlv(c, -1, &val)) {
        return false;
    }
    m->bindings++;
    if (m->event != SNMP_EV_RESPONSE) {
        return true;
    }
    ber_oid_text(name.v, name.len, oid, sizeof(oid));
    switch (val.tag) {
    case APP_COUNTER32:
    case APP_UNSIGNED32:
    case APP_TIMETICKS:
    case APP_COUNTER64:
        if (strcmp(oid, sys_uptime_oid) == 0) {
            m->has_uptime = true;
            m->uptime_ticks = ber_u64(val.v, val.len);
        }
        break;
    case 0x05: /* NULL, noSuchObject, noSuchInstance, endOfMibView */
    case 0x80:
    case 0x81:
    case 0x82:
    case ASN1_OID:
    case ASN1_INTEGER:
    case APP_IPADDRESS:
        break;
    default: /* octets: OCTET STRING, Opaque and anything else */
        if (strcmp(oid, sys_descr_oid) == 0) {
            m->sys_descr = (struct snmp_str){val.v, val.len};
        }
        break;
    }
    return true;
}

/* The variable bindings: a sequence, then bindings to the end. */
static bool snmp_varbinds(struct cur *c, struct snmp_msg *m)
{
    if (!ber_seq(c)) {
        return false;
    }
    while (c->off < c->len) {
        if (!snmp_varbind(c, m)) {
            return false;
        }
    }
    return true;
}

/* The PDU after its context tag. */
static bool snmp_pdu(struct cur *c, struct snmp_msg *m)
{
    uint8_t tag;
    uint64_t len;
    struct tlv t;
    enum snmp_event ev;

    if (!ber_meta(c, &tag, &len)) {
        return false;
    }
    switch (tag) {
    case PDU_GET:
    case PDU_GET_NEXT:
        ev = SNMP_EV_GET;
        break;
    case PDU_RESPONSE:
        ev = SNMP_EV_RESPONSE;
        break;
    case PDU_SET:
        ev = SNMP_EV_SET;
        break;
    case PDU_GET_BULK:
        ev = SNMP_EV_GET_BULK;
        break;
    case PDU_TRAP:
    case PDU_INFORM:
    case PDU_TRAP_V2:
    case PDU_REPORT:
        ev = SNMP_EV_OTHER;
        break;
    default: /* an unknown PDU: the rest is not interpreted */
        m->event = SNMP_EV_OTHER;
        return true;
    }
    m->event = ev; /* provisional: cleared below when the PDU fails */
    bool ok;
    if (tag == PDU_TRAP) {
        ok = ber_tlv(c, ASN1_OID, &t) && ber_tlv(c, APP_IPADDRESS, &t) && ber_int(c, NULL) &&
             ber_int(c, NULL) && ber_tlv(c, APP_TIMETICKS, &t) && snmp_varbinds(c, m);
    } else {
        ok = ber_int(c, NULL) && ber_int(c, NULL) && ber_int(c, NULL) && snmp_varbinds(c, m);
    }
    if (!ok) {
        m->event = SNMP_EV_NONE;
        m->sys_descr = (struct snmp_str){NULL, 0};
        m->has_uptime = false;
    }
    return ok;
}

/* The user name of v3 USM security parameters, when they parse. */
static void snmp_usm_user(const struct tlv *sp, struct snmp_msg *m)
{
    struct cur c = {sp->v, sp->len, 0};
    struct tlv user, t;

    if (ber_seq(&c) && ber_tlv(&c, ASN1_OCTET_STRING, &t) && ber_int(&c, NULL) &&
        ber_int(&c, NULL) && ber_tlv(&c, ASN1_OCTET_STRING, &user) && user.len > 0) {
        m->community = (struct snmp_str){user.v, user.len};
    }
}

/* v3: global data, security parameters, then the scoped PDU. */
static bool snmp_v3(struct cur *c, struct snmp_msg *m, bool *plaintext)
{
    struct tlv flags, sp, t;
    int64_t model = 0;
    uint8_t tag;
    uint64_t len;

    if (!ber_seq(c) || !ber_int(c, NULL) || !ber_int(c, NULL) ||
        !ber_tlv(c, ASN1_OCTET_STRING, &flags) || !ber_int(c, &model) ||
        !ber_tlv(c, ASN1_OCTET_STRING, &sp) || !ber_meta(c, &tag, &len)) {
        return false;
    }
    if (model == SNMP_USM) {
        snmp_usm_user(&sp, m);
    }
    if (tag == ASN1_SEQUENCE) {
        if (!ber_tlv(c, ASN1_OCTET_STRING, &t) || !ber_tlv(c, ASN1_OCTET_STRING, &t)) {
            return false;
        }
        *plaintext = true;
        return true;
    }
    /* encrypted (an OCTET STRING) or unknown: the rest is not read */
    m->event = SNMP_EV_OTHER;
    return true;
}

bool snmp_parse(const uint8_t *p, size_t len, struct snmp_msg *m)
{
    struct cur c = {p, len, 0};
    struct tlv community;
    bool plaintext = false;

    memset(m, 0, sizeof(*m));
    if (!ber_seq(&c) || !ber_int(&c, &m->version)) {
        return false;
    }
    switch (m->version) {
    case 0:
    case 1:
        if (!ber_tlv(&c, ASN1_OCTET_STRING, &community)) {
            return false;
        }
        m->community = (struct snmp_str){community.v, community.len};
        plaintext = true;
        break;
    case 3:
        if (!snmp_v3(&c, m, &plaintext)) {
            m->event = SNMP_EV_NONE;
            return false;
        }
        break;
    default:
        m->header_ok = true; /* an unknown version: no state, no log */
        return true;
    }
    m->header_ok = true;
    if (!plaintext) {
        return true;
    }
    return snmp_pdu(&c, m);
}

const char *snmp_version_name(int64_t version)
{
    switch (version) {
    case 0:
        return "1";
    case 1:
        return "2c";
    case 3:
        return "3";
    default:
        return "unknown";
    }
}

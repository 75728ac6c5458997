/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The little of X.509 that ssl.log needs: whether a DER certificate is
 * well-formed enough to be one (Zeek logs the fingerprints of certificates
 * its x509 analyzer parsed), and whether a server name matches its DNS
 * names (subjectAltName dNSName entries and the subject's common names,
 * "*." wildcards matching one label), as Zeek's x509_check_cert_hostname
 * decides sni_matches_cert.  Reads the bytes in place; allocates nothing.
 */
#ifndef SHOAL_SSL_X509_H
#define SHOAL_SSL_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Is der[0..len) a DER Certificate (SEQUENCE of tbsCertificate, algorithm,
 * signature, spanning exactly len bytes)? */
bool ssl_x509_valid(const uint8_t *der, size_t len);

/* Does host[0..hlen) match one of the certificate's DNS names? */
bool ssl_x509_matches(const uint8_t *der, size_t len, const char *host, size_t hlen);

#endif

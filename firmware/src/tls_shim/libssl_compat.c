/* Debian 12's CivetWeb 1.15 loads OpenSSL at run time by name ("libssl.so") and looks up
 * SSL_get_peer_certificate, which OpenSSL 3 only has as a macro for SSL_get1_peer_certificate
 * (civetweb/civetweb#1334). It gets a null pointer and the first TLS connection crashes its
 * worker. This library carries the SONAME "libssl.so", provides the old name, and pulls in the
 * real libssl.so.3 for everything else. The hub dlopen()s it by path before starting TLS, so
 * CivetWeb's dlopen("libssl.so") finds it already loaded (glibc matches the SONAME). */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
X509 *SSL_get_peer_certificate(const SSL *s);
X509 *SSL_get_peer_certificate(const SSL *s) { return SSL_get1_peer_certificate(s); }

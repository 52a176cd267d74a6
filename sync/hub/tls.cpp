#include "tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace upw::sync::hub {
namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Free<X509, X509_free>>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Status Failed(const std::string& what) { return Status::Error(Code::kUnavailable, "tls", what); }

}  // namespace

Status WriteSelfSignedCertificate(const std::string& path, const std::string& common_name) {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return Failed("could not make a key");
  Cert cert(X509_new());
  if (!cert) return Failed("could not make a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  std::FILE* rnd = std::fopen("/dev/urandom", "rb");
  if (rnd == nullptr || std::fread(serial, 1, sizeof serial, rnd) != sizeof serial) {
    if (rnd) std::fclose(rnd);
    return Failed("no randomness for the serial number");
  }
  std::fclose(rnd);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("UPW Field hub"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Failed("could not sign");
  const mode_t old = umask(077);
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(path.c_str(), "wb"));
  umask(old);
  if (!out) return Failed("cannot write " + path);
  if (PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_X509(out.get(), cert.get()) != 1) {
    return Failed("cannot write " + path);
  }
  return Status::Ok();
}

Result<std::string> PinOfCertificateFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(path.c_str(), "rb"));
  if (!in) return Failed("cannot read the certificate " + path);
  Cert cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    // The key may come first in the file: look further.
    std::rewind(in.get());
    for (;;) {
      X509* c = PEM_read_X509(in.get(), nullptr, nullptr, nullptr);
      if (c != nullptr) {
        cert.reset(c);
        break;
      }
      EVP_PKEY* k = PEM_read_PrivateKey(in.get(), nullptr, nullptr, nullptr);
      if (k == nullptr) break;
      EVP_PKEY_free(k);
    }
  }
  if (!cert) return Failed("no certificate in " + path);
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
  if (len <= 0) return Failed("cannot read the certificate's key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  unsigned char b64[64];
  const int n = EVP_EncodeBlock(b64, digest, sizeof digest);
  return "sha256//" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace upw::sync::hub

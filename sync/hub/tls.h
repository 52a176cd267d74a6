// The hub's TLS identity. Head office is its own authority: the hub has a self-signed
// certificate, and each device pins its public key at enrolment (curl's "sha256//BASE64" form of
// the SubjectPublicKeyInfo), so no CA can stand in for the hub later.
#pragma once

#include <string>

#include "common/status.h"

namespace upw::sync::hub {

// Writes a new EC P-256 key and a self-signed certificate for `common_name` (valid 10 years) into
// one PEM file readable only by its owner, as CivetWeb's ssl_certificate wants it.
Status WriteSelfSignedCertificate(const std::string& path, const std::string& common_name);
// "sha256//BASE64" of the certificate's public key in a PEM file.
Result<std::string> PinOfCertificateFile(const std::string& path);

}  // namespace upw::sync::hub

#include "hub_client.h"

#include <curl/curl.h>

#include <mutex>

#include "wire.h"

namespace upw::sync {
namespace {

struct Sink {
  std::string body;
  std::string encoding;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Sink*>(user)->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  constexpr std::string_view kName = "content-encoding:";
  if (line.size() > kName.size()) {
    std::string lower = line.substr(0, kName.size());
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == kName) {
      std::string v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
      static_cast<Sink*>(user)->encoding = v;
    }
  }
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HubConnection::HubConnection() {
  GlobalInit();
  curl_ = curl_easy_init();
}

HubConnection::~HubConnection() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HubReply Send(const HubRequest& request) {
  HubConnection c;
  return c.Send(request);
}

HubReply HubConnection::Send(const HubRequest& r) {
  HubReply out;
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) {
    out.error = "curl could not start";
    return out;
  }
  // Options go back to their defaults; the open connection (and TLS session) stays.
  curl_easy_reset(curl);
  Sink sink;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Content-Type: " + r.content_type).c_str());
  if (!r.content_encoding.empty()) {
    headers = curl_slist_append(headers, ("Content-Encoding: " + r.content_encoding).c_str());
  }
  if (!r.authorization.empty()) {
    headers = curl_slist_append(headers, ("Authorization: " + r.authorization).c_str());
  }
  headers =
      curl_slist_append(headers, ("X-Device-Time-Ms: " + std::to_string(r.device_ms)).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, r.timeout_s);
  // A link that trickles (a van at the edge of signal) is given up on and retried later.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 50L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  if (r.insecure_first_contact) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!r.pin.empty()) {
    // The hub's certificate is its own (head office is its own authority): trust is the pinned
    // key, checked on every connection, not a CA chain.
    curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, r.pin.c_str());
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (r.method != "POST") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  if (r.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t up = 0, header_bytes = 0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &up);
  curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &header_bytes);
  curl_slist_free_all(headers);
  out.sent_bytes = static_cast<std::int64_t>(up);
  out.received_bytes = static_cast<std::int64_t>(sink.body.size() + header_bytes);
  if (rc != CURLE_OK || status == 0) {
    out.error = curl_easy_strerror(rc);
    return out;
  }
  out.status = static_cast<int>(status);
  if (sink.encoding == "deflate") {
    auto plain = Inflate(sink.body);
    if (!plain) {
      out.status = 0;
      out.error = "the hub's answer was cut short";
      return out;
    }
    out.body = std::move(*plain);
  } else {
    out.body = std::move(sink.body);
  }
  return out;
}

}  // namespace upw::sync

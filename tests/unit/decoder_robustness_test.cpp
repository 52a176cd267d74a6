// Every decoder of outside input takes any bytes without crashing, hanging or accepting nonsense:
// seeds plus deterministic random mutations (a small, always-on stand-in for a fuzzer, run under
// ASan+UBSan in CI). Decoders: timestamps, dates, times of day, query strings and form bodies,
// attendance facts from JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "app/attendance_codec.h"
#include "domain/civil_time.h"
#include "http/message.h"

namespace upw {
namespace {

// The seeds, then `rounds` mutations of them: flipped, inserted, deleted and duplicated bytes.
template <typename F>
void Mutate(const std::vector<std::string>& seeds, int rounds, F&& decode) {
  std::mt19937 rng(20261123);
  for (const auto& s : seeds) decode(s);
  for (int i = 0; i < rounds; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:
          if (at < s.size()) s[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          s.insert(at, 1, static_cast<char>(rng() % 256));
          break;
        case 2:
          if (at < s.size()) s.erase(at, 1 + rng() % 3);
          break;
        default:
          s += s.substr(0, std::min<std::size_t>(s.size(), 16));
      }
    }
    decode(s);
  }
}

TEST(DecoderRobustness, TimesAndDatesRoundTripWhenAccepted) {
  Mutate({"2026-11-22T09:05:00Z", "2026-06-01T10:00:00+01:00", "2026-03-29T00:59:59.999Z",
          "1999-12-31T23:59:59-12:00"},
         20000, [](const std::string& s) {
           if (auto t = domain::ParseTimestamp(s)) {
             // What is accepted means one instant: its formatting reads back the same.
             EXPECT_EQ(domain::ParseTimestamp(domain::FormatTimestamp(*t)), t) << s;
           }
         });
  Mutate({"2026-11-22", "2024-02-29", "1900-01-01"}, 20000, [](const std::string& s) {
    if (auto d = domain::ParseDate(s)) {
      EXPECT_TRUE(d->ok()) << s;
      EXPECT_EQ(domain::FormatDate(*d), s) << "only the canonical form is accepted";
    }
  });
  Mutate({"09:30", "8:15", "23:59", "00:00"}, 20000, [](const std::string& s) {
    if (auto m = domain::ParseTimeOfDay(s)) {
      EXPECT_GE(*m, 0);
      EXPECT_LT(*m, 24 * 60) << s;
    }
  });
}

TEST(DecoderRobustness, QueryStringsAndFormsNeverCrash) {
  Mutate({"from=2026-11-22&to=2026-11-23&limit=5", "a=%41%42+c", "x=%zz&y=%", "=1", "k=v&k=w",
          "note=Phoned+to+say+%C3%A9+late&note_sensitive=yes"},
         20000, [](const std::string& s) {
           auto q = http::ParseQuery(s);
           if (q.ok()) {
             for (const auto& [k, v] : *q) EXPECT_FALSE(k.empty()) << s;
           } else {
             EXPECT_EQ(q.status().code(), Code::kInvalid) << s;
           }
         });
}

TEST(DecoderRobustness, AttendanceFactsFromAnyJsonAreValidOrRefusedNamingAField) {
  const std::vector<std::string> seeds = {
      R"({"outcome":"attended_complied","sign_in":"2026-11-22T09:00:00Z","sign_out":"2026-11-22T16:00:00Z","break_minutes":30})",
      R"({"outcome":"acceptable_absence","absence_reason":"medical","note":"x","note_sensitive":true})",
      R"({"outcome":"rescheduled","absence_reason":"person_request","activity":"other_activity"})",
      R"({"outcome":"attended_complied","penalty_minutes":1e9,"break_minutes":-1})",
      R"({"outcome":null,"sign_in":[],"note":{"a":1}})"};
  Mutate(seeds, 20000, [](const std::string& s) {
    const auto j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_discarded()) return;  // the HTTP layer answers 400 before the codec sees it
    auto facts = app::FactsFromJson(j, {"id", "reason"});
    if (!facts.ok()) {
      EXPECT_FALSE(facts.status().field().empty()) << "a refusal names the field: " << s;
      return;
    }
    EXPECT_GE(facts->break_minutes, 0) << s;
    EXPECT_GE(facts->penalty_minutes, 0) << s;
    // What was accepted encodes and decodes to the same facts.
    auto again = app::FactsFromJson(app::FactsToJson(*facts), {"evidence_expected"});
    ASSERT_TRUE(again.ok()) << again.status().field() << ": " << again.status().message();
    EXPECT_EQ(app::FactsToJson(*again), app::FactsToJson(*facts));
  });
}

}  // namespace
}  // namespace upw

#include "moor/netproxy/dns/dns_message.h"

#include <gtest/gtest.h>

#include <random>

#include "moor/netproxy/dns/dns_name.h"

namespace moor::netproxy::dns {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// A query as dig sends it: id 0xBEEF, RD, one question "web.default.svc.cluster.local" A IN.
std::string DigQuery() {
  std::string q = Bytes({0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
  for (const char* label : {"web", "default", "svc", "cluster", "local"}) {
    q.push_back(static_cast<char>(std::string(label).size()));
    q += label;
  }
  q += Bytes({0, 0, 1, 0, 1});
  return q;
}

TEST(DnsNameTest, LabelsRoundTripWithEscapes) {
  struct Case {
    std::string name;
    std::vector<std::string> labels;
  };
  std::vector<Case> cases = {
      {"", {}},
      {"a.b", {"a", "b"}},
      {"a.b.", {"a", "b"}},
      {"a\\.b.c", {"a.b", "c"}},
      {"x\\\\y", {"x\\y"}},
      {"\\000\\255", {std::string("\0\xff", 2)}},
  };
  for (const Case& c : cases) {
    auto labels = NameToLabels(c.name);
    ASSERT_TRUE(labels.ok()) << c.name << ": " << labels.status().ToString();
    EXPECT_EQ(*labels, c.labels) << c.name;
  }
  EXPECT_EQ(LabelsToName({"a.b", "c"}), "a\\.b.c");
  EXPECT_EQ(LabelsToName({std::string("\0 ", 2)}), "\\000\\032");
}

TEST(DnsNameTest, RejectsBadNames) {
  for (std::string bad : {std::string("a..b"), std::string(64, 'x') + ".com", std::string("a\\"),
                          std::string("a\\25"), std::string("a\\999")}) {
    EXPECT_FALSE(NameToLabels(bad).ok()) << bad;
  }
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_FALSE(NameToLabels(long_name).ok());
}

TEST(DnsMessageTest, ParsesAQuery) {
  auto m = ParseMessage(DigQuery());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->header.id, 0xBEEF);
  EXPECT_FALSE(m->header.qr);
  EXPECT_TRUE(m->header.rd);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0], (Question{"web.default.svc.cluster.local", kTypeA, kClassIn}));
}

TEST(DnsMessageTest, RoundTripsEveryRecordKind) {
  Message m;
  m.header.id = 7;
  m.header.qr = true;
  m.header.aa = true;
  m.header.rd = true;
  m.header.ra = true;
  m.header.rcode = kRcodeNxDomain;
  m.questions.push_back({"_http._tcp.web.default.svc.cluster.local", kTypeSrv, kClassIn});
  m.answers.push_back(Record::Srv("_http._tcp.web.default.svc.cluster.local", 5, 0, 100, 80,
                                  "web.default.svc.cluster.local"));
  m.answers.push_back(Record::Cname("ext.default.svc.cluster.local", 5, "example.com"));
  m.authority.push_back(Record::Soa("cluster.local", 5,
                                    SoaData{"ns.dns.cluster.local", "hostmaster.cluster.local", 1, 2, 3, 4, 5}));
  m.authority.push_back(Record::Ns("cluster.local", 5, "ns.dns.cluster.local"));
  m.additional.push_back(Record::A("web.default.svc.cluster.local", 5, 0x0A2B0001));
  Record aaaa;
  aaaa.name = "v6.example.com";
  aaaa.type = kTypeAaaa;
  aaaa.ttl = 30;
  aaaa.data = std::string(16, '\x01');
  m.additional.push_back(aaaa);
  Record mx;
  mx.name = "example.com";
  mx.type = kTypeMx;
  mx.priority = 10;
  mx.target = "mail.example.com";
  m.additional.push_back(mx);
  m.additional.push_back(Record::Opt(1232));

  auto wire = SerializeMessage(m);
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  auto back = ParseMessage(*wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->header, m.header);
  EXPECT_EQ(back->questions, m.questions);
  EXPECT_EQ(back->answers, m.answers);
  EXPECT_EQ(back->authority, m.authority);
  EXPECT_EQ(back->additional, m.additional);
  ASSERT_NE(back->Edns(), nullptr);
  EXPECT_EQ(back->Edns()->klass, 1232);
}

TEST(DnsMessageTest, CompressesRepeatedNames) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({"web.default.svc.cluster.local", kTypeA, kClassIn});
  for (int i = 0; i < 10; ++i) m.answers.push_back(Record::A("web.default.svc.cluster.local", 5, 0x0A000001 + i));
  auto wire = SerializeMessage(m);
  ASSERT_TRUE(wire.ok());
  // Header 12 + question (31 + 4) + 10 answers of (2-byte pointer + 10 + 4).
  EXPECT_EQ(wire->size(), 12u + 35u + 10u * 16u);
  // Case differences still compress; the owner keeps the spelling of the first occurrence.
  m.answers[3].name = "WEB.default.svc.cluster.local";
  EXPECT_EQ(SerializeMessage(m)->size(), 12u + 35u + 10u * 16u);
}

TEST(DnsMessageTest, TruncatesToMaxSize) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({"many.default.svc.cluster.local", kTypeA, kClassIn});
  for (int i = 0; i < 100; ++i) m.answers.push_back(Record::A("many.default.svc.cluster.local", 5, 0x0A000001 + i));
  m.additional.push_back(Record::Opt(512));
  auto wire = SerializeMessage(m, kClassicUdpSize);
  ASSERT_TRUE(wire.ok());
  EXPECT_LE(wire->size(), kClassicUdpSize);
  auto back = ParseMessage(*wire);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->header.tc);
  EXPECT_TRUE(back->answers.empty());
  EXPECT_EQ(back->questions, m.questions);
  EXPECT_NE(back->Edns(), nullptr);

  // Dropping the additional section is enough: no TC.
  Message srv;
  srv.header.qr = true;
  srv.questions.push_back({"x.cluster.local", kTypeA, kClassIn});
  srv.answers.push_back(Record::A("x.cluster.local", 5, 1));
  for (int i = 0; i < 60; ++i) srv.additional.push_back(Record::A("host" + std::to_string(i) + ".example.com", 5, 1));
  auto small = ParseMessage(*SerializeMessage(srv, kClassicUdpSize));
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(small->header.tc);
  EXPECT_EQ(small->answers.size(), 1u);
  EXPECT_TRUE(small->additional.empty());
}

TEST(DnsMessageTest, RejectsMalformedMessages) {
  std::string q = DigQuery();
  struct Case {
    std::string what;
    std::string wire;
  };
  std::vector<Case> cases = {
      {"short header", q.substr(0, 11)},
      {"question cut in the name", q.substr(0, 20)},
      {"question cut in the type", q.substr(0, q.size() - 3)},
      {"counts more questions than there are", [&] { std::string w = q; w[5] = 2; return w; }()},
      {"an answer that is not there", [&] { std::string w = q; w[7] = 1; return w; }()},
      {"pointer to itself", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1})},
      {"pointer forwards", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0, 0, 1, 0, 1})},
      {"pointer past the end", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0})},
      {"reserved label type", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1})},
      {"label runs past the end", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 'a', 'b'})},
      {"A record of 3 bytes",
       Bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3})},
      {"rdlength past the end",
       Bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 9, 1, 2})},
      {"CNAME data longer than its name",
       Bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0, 5, 0, 3, 0, 0, 0})},
  };
  std::string long_name_query = Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 5; ++i) long_name_query += std::string(1, 60) + std::string(60, 'a');
  long_name_query += Bytes({0, 0, 1, 0, 1});
  cases.push_back({"name over 255 bytes", long_name_query});
  for (const Case& c : cases) {
    auto m = ParseMessage(c.wire);
    EXPECT_FALSE(m.ok()) << c.what;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << c.what;
    }
  }
  EXPECT_FALSE(ParseHeader(q.substr(0, 11)).has_value());
  EXPECT_EQ(ParseHeader(q.substr(0, 12))->id, 0xBEEF);
}

TEST(DnsMessageTest, FollowsBackwardPointers) {
  // Question "a.b", answer owner = pointer to the question name, CNAME -> "c" + pointer to "b".
  std::string w = Bytes({0, 9, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 1, 'b', 0, 0, 5, 0, 1});
  w += Bytes({0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'c', 0xC0, 14});
  auto m = ParseMessage(w);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].name, "a.b");
  EXPECT_EQ(m->answers[0].target, "c.b");
  EXPECT_EQ(m->answers[0].ttl, 60u);
}

// Every prefix of valid messages, and random bytes, and random corruptions of valid messages:
// the parser returns (ok or an error) without reading out of bounds (run under ASan to see).
TEST(DnsMessageTest, SurvivesTruncatedAndRandomBytes) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({"_http._tcp.web.default.svc.cluster.local", kTypeSrv, kClassIn});
  m.answers.push_back(Record::Srv(m.questions[0].name, 5, 0, 100, 80, "web.default.svc.cluster.local"));
  m.authority.push_back(Record::Soa("cluster.local", 5, SoaData{"ns.dns.cluster.local", "hostmaster.cluster.local", 1, 2, 3, 4, 5}));
  m.additional.push_back(Record::A("web.default.svc.cluster.local", 5, 1));
  std::vector<std::string> valid = {DigQuery(), *SerializeMessage(m)};
  for (const std::string& v : valid) {
    for (std::size_t n = 0; n < v.size(); ++n) EXPECT_FALSE(ParseMessage(v.substr(0, n)).ok()) << n;
    EXPECT_TRUE(ParseMessage(v).ok());
  }
  std::mt19937 rng(42);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string w;
    if (i % 2 == 0) {
      w.resize(rng() % 300);
      for (char& c : w) c = static_cast<char>(rng());
    } else {
      w = valid[i % 4 == 1 ? 0 : 1];
      for (int k = 0; k < 3; ++k) w[rng() % w.size()] = static_cast<char>(rng());
    }
    auto parsed_message = ParseMessage(w);
    if (parsed_message.ok()) {
      ++parsed;
      // Whatever parsed can be written again.
      (void)SerializeMessage(*parsed_message);
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace moor::netproxy::dns

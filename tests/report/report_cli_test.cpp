// `cyberalarm report` end to end: the real binary against a store made by the fixture.
#include <gtest/gtest.h>

#include "report/analyst.h"
#include "store_fixture.h"
#include "support/child_process.h"

namespace cyberalarm::report::test {
namespace {

TEST(ReportCli, WritesAMemberPdfAndAnAnalystHtml) {
    StoreFixture f;
    f.events(f.tree().members[0],
             {make_event(kWeekStart + kDay, "198.51.100.7", "192.0.2.10", 3389)});
    const auto pdf = f.dir() / "member.pdf";
    auto r = cyberalarm::test::run_command(
        {CA_CYBERALARM_BIN, "report", "--data-dir", f.dir().string(), "--member",
         std::to_string(f.tree().members[0].id), "--from", "2026-11-16", "--format", "pdf", "-o",
         pdf.string()},
        f.dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto text = pdf_text(f.dir(), cyberalarm::test::read_file(pdf));
    if (text) {
        EXPECT_NE(text->find("Weekly security report"), std::string::npos) << *text;
        EXPECT_NE(text->find("198.51.100.7"), std::string::npos);
    }
    const auto html = f.dir() / "region.html";
    r = cyberalarm::test::run_command(
        {CA_CYBERALARM_BIN, "report", "--data-dir", f.dir().string(), "--tenant",
         std::to_string(f.tree().region.id), "--from", "2026-11-16", "--to", "2026-11-23",
         "--pseudonym-key", "k", "-o", html.string()},
        f.dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto body = cyberalarm::test::read_file(html);
    EXPECT_NE(body.find("Regional threat picture"), std::string::npos);
    EXPECT_EQ(body.find("Acme"), std::string::npos);
    // Exactly one of --member and --tenant.
    r = cyberalarm::test::run_command(
        {CA_CYBERALARM_BIN, "report", "--data-dir", f.dir().string(), "-o", html.string()},
        f.dir());
    EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace cyberalarm::report::test

// Tailing a file: appends, rotation by rename, copytruncate, restarts from the saved
// position, and the rule that a position is saved only after its lines were accepted.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "collector/inputs.h"
#include "collector/inputs_tail_state.h"
#include "collector/inputs_test_support.h"
#include "support/test_support.h"

namespace cyberalarm::collector {
namespace {

using test::RecordingSink;
using namespace std::chrono_literals;
using Lines = std::vector<std::string>;

void append(const std::filesystem::path& p, std::string_view text) {
    std::ofstream out(p, std::ios::app | std::ios::binary);
    out << text;
}

class FileInputTest : public ::testing::Test {
protected:
    std::filesystem::path log() const { return dir_.path() / "fw.log"; }

    InputConfig config() const {
        InputConfig c;
        c.name = "fw";
        c.kind = InputKind::kFile;
        c.path = log();
        c.state_dir = dir_.path() / "state";
        c.poll_interval = 20ms;
        c.rotation_grace = 300ms;
        c.state_interval = 0ms;
        c.max_frame = 256;
        return c;
    }

    std::unique_ptr<Input> start(LineSink& sink, const InputConfig& c) {
        auto input = make_input(c);
        EXPECT_TRUE(input) << input.error().to_string();
        if (!input) {
            return nullptr;
        }
        auto bound = (*input)->bind();
        EXPECT_TRUE(bound) << bound.error().to_string();
        if (!bound || !(*input)->start(sink, 4)) {
            return nullptr;
        }
        return std::move(*input);
    }
    std::unique_ptr<Input> start(LineSink& sink) { return start(sink, config()); }

    std::optional<detail::TailState> saved() const {
        auto s = detail::load_tail_state(detail::tail_state_file(dir_.path() / "state", "fw"));
        return s ? *s : std::nullopt;
    }

    test::TempDir dir_;
};

TEST_F(FileInputTest, ReadsAnExistingFileAndWhatIsAppended) {
    append(log(), "a\nb\n");
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(2));
    append(log(), "c\nhalf");
    ASSERT_TRUE(sink.wait_for(3));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(sink.count(), 3u) << "an unfinished line was handed on";
    append(log(), " done\n" + std::string(1000, 'x') + "\nlast\n");
    ASSERT_TRUE(sink.wait_for(6));
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"a", "b", "c", "half done", std::string(256, 'x'), "last"}));
    EXPECT_FALSE(sink.peers()[0].is_set());
    EXPECT_EQ(sink.indexes()[0], 4u);
    EXPECT_EQ(input->stats().oversize, 1u);
    EXPECT_EQ(sink.unflushed(), 0u);
    auto state = saved();
    ASSERT_TRUE(state);
    EXPECT_EQ(state->offset, std::filesystem::file_size(log()));
}

TEST_F(FileInputTest, RotationByRenameReadsTheRestOfTheOldFileAndAllOfTheNew) {
    append(log(), "a\nb\n");
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(2));
    // logrotate: rename, the writer still appends to the old file until it reopens.
    append(log(), "c\n");
    std::filesystem::rename(log(), dir_.path() / "fw.log.1");
    append(dir_.path() / "fw.log.1", "d\n");
    append(log(), "e\n");
    append(dir_.path() / "fw.log.1", "f\n");  // still within the grace
    append(log(), "g\n");
    ASSERT_TRUE(sink.wait_for(7));
    std::this_thread::sleep_for(500ms);  // past the grace: the old file is closed
    append(dir_.path() / "fw.log.1", "too late\n");
    append(log(), "h\n");
    ASSERT_TRUE(sink.wait_for(8));
    std::this_thread::sleep_for(100ms);
    input->stop();
    auto lines = sink.lines();
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (Lines{"a", "b", "c", "d", "e", "f", "g", "h"}));
    EXPECT_EQ(input->stats().rotations, 1u);
}

TEST_F(FileInputTest, CopyTruncateStartsOverAtZero) {
    append(log(), "a\nb\n");
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(2));
    std::filesystem::copy_file(log(), dir_.path() / "fw.log.1");
    std::filesystem::resize_file(log(), 0);
    ASSERT_TRUE(test::eventually([&] { return input->stats().truncations == 1; }));
    append(log(), "c\n");
    ASSERT_TRUE(sink.wait_for(3));
    // Truncated and refilled past the old position between two looks: the changed first
    // bytes give it away.
    std::this_thread::sleep_for(100ms);  // the input is between two looks
    std::filesystem::resize_file(log(), 0);
    append(log(), "dddd\neeee\nffff\n");
    ASSERT_TRUE(sink.wait_for(6));
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"a", "b", "c", "dddd", "eeee", "ffff"}));
    EXPECT_EQ(input->stats().truncations, 2u);
}

TEST_F(FileInputTest, RestartResumesWhereItStopped) {
    append(log(), "a\nb\n");
    {
        RecordingSink sink;
        auto input = start(sink);
        ASSERT_TRUE(input);
        ASSERT_TRUE(sink.wait_for(2));
        append(log(), "c\npartial");
        ASSERT_TRUE(sink.wait_for(3));
        input->stop();
    }
    append(log(), " line\nd\n");
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(2));
    std::this_thread::sleep_for(100ms);
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"partial line", "d"}));
}

TEST_F(FileInputTest, RestartAfterARotationWhileStopped) {
    append(log(), "a\nb\n");
    {
        RecordingSink sink;
        auto input = start(sink);
        ASSERT_TRUE(input);
        ASSERT_TRUE(sink.wait_for(2));
        input->stop();
    }
    append(log(), "c\n");
    std::filesystem::rename(log(), dir_.path() / "fw.log.1");
    append(log(), "d\ne\n");
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(3));
    std::this_thread::sleep_for(100ms);
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"c", "d", "e"}));
    EXPECT_EQ(input->stats().rotations, 1u);
}

TEST_F(FileInputTest, AFileReplacedWhileStoppedIsReadFromTheStart) {
    append(log(), "a\nb\n");
    {
        RecordingSink sink;
        auto input = start(sink);
        ASSERT_TRUE(input);
        ASSERT_TRUE(sink.wait_for(2));
        input->stop();
    }
    std::filesystem::resize_file(log(), 0);
    append(log(), "new\nfile\ntext\n");  // longer than before, different first bytes
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(3));
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"new", "file", "text"}));
    EXPECT_EQ(input->stats().truncations, 1u);
}

TEST_F(FileInputTest, FromEndSkipsWhatIsThereOnAFirstStartOnly) {
    append(log(), "old\nold\n");
    auto c = config();
    c.from_end = true;
    RecordingSink sink;
    auto input = start(sink, c);
    ASSERT_TRUE(input);
    std::this_thread::sleep_for(100ms);
    append(log(), "new\n");
    ASSERT_TRUE(sink.wait_for(1));
    input->stop();
    append(log(), "after restart\n");
    RecordingSink second;
    input = start(second, c);  // a saved position wins over from_end
    ASSERT_TRUE(second.wait_for(1));
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"new"}));
    EXPECT_EQ(second.lines(), (Lines{"after restart"}));
}

TEST_F(FileInputTest, AFileThatAppearsLaterIsReadFromItsStart) {
    auto c = config();
    c.from_end = true;
    RecordingSink sink;
    auto input = start(sink, c);
    ASSERT_TRUE(input);
    std::this_thread::sleep_for(100ms);
    append(log(), "first\nsecond\n");
    ASSERT_TRUE(sink.wait_for(2));
    input->stop();
    EXPECT_EQ(sink.lines(), (Lines{"first", "second"}));
}

// While the sink holds line b, the saved position never passes the end of line a.
TEST_F(FileInputTest, ThePositionIsSavedOnlyAfterTheLinesWereAccepted) {
    append(log(), "a\nb\nc\n");
    RecordingSink sink;
    test::Gate gate;
    sink.before_accept = [&](std::string_view line) {
        if (line == "b") {
            gate.wait();
        }
    };
    auto input = start(sink);
    test::GateOpener opener(gate);
    ASSERT_TRUE(input);
    ASSERT_TRUE(gate.wait_for_waiter());
    std::this_thread::sleep_for(100ms);
    auto state = saved();
    EXPECT_TRUE(!state || state->offset <= 2) << state->offset;
    gate.open();
    ASSERT_TRUE(sink.wait_for(3));
    ASSERT_TRUE(test::eventually([&] {
        auto s = saved();
        return s && s->offset == 6;
    }));
    input->stop();
}

// A sink that accepts lines in batches makes them durable in flush(): while flush() is
// held, no position is saved past the lines it covers.
TEST_F(FileInputTest, ThePositionWaitsForTheFlush) {
    append(log(), "a\nb\nc\n");
    RecordingSink sink;
    test::Gate gate;
    std::atomic<bool> first{true};
    sink.before_flush = [&] {
        if (first.exchange(false)) {
            gate.wait();
        }
    };
    auto input = start(sink);
    test::GateOpener opener(gate);
    ASSERT_TRUE(input);
    ASSERT_TRUE(gate.wait_for_waiter());
    ASSERT_TRUE(sink.wait_for(3));
    std::this_thread::sleep_for(100ms);
    auto state = saved();
    EXPECT_TRUE(!state || state->offset == 0) << state->offset;
    gate.open();
    ASSERT_TRUE(test::eventually([&] {
        auto s = saved();
        return s && s->offset == 6;
    }));
    input->stop();
}

TEST_F(FileInputTest, ACorruptStateFileIsReportedAndTheFileReadFromTheStart) {
    append(log(), "a\n");
    std::filesystem::create_directories(dir_.path() / "state" / "inputs");
    std::ofstream(detail::tail_state_file(dir_.path() / "state", "fw")) << "garbage";
    RecordingSink sink;
    auto input = start(sink);
    ASSERT_TRUE(input);
    ASSERT_TRUE(sink.wait_for(1));
    input->stop();
    EXPECT_EQ(input->stats().errors, 1u);
    EXPECT_NE(input->stats().last_error.find("tail state"), std::string::npos);
    EXPECT_EQ(saved()->offset, 2u);  // replaced by a good one
}

TEST_F(FileInputTest, AnUnreadableFileIsABindError) {
    std::filesystem::create_directories(log());  // a directory where the file should be
    auto input = make_input(config());
    ASSERT_TRUE(input);
    auto r = (*input)->bind();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("fw.log"), std::string::npos);
}

// The daemon reading its own standard input: `... | cyberalarm-collector`.
TEST(StdinInputTest, ReadsAPipeToItsEnd) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    int saved_stdin = ::dup(0);
    ASSERT_GE(saved_stdin, 0);
    ASSERT_EQ(::dup2(fds[0], 0), 0);
    ::close(fds[0]);

    RecordingSink sink;
    InputConfig c;
    c.name = "stdin";
    c.kind = InputKind::kStdin;
    c.max_frame = 256;
    auto input = make_input(c);
    ASSERT_TRUE(input);
    ASSERT_TRUE((*input)->bind());
    ASSERT_TRUE((*input)->start(sink, 0));
    std::string text = "<13>one\r\n<13>two\n" + std::string(300, 'y') + "\n<13>no newline";
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ASSERT_TRUE(sink.wait_for(3));
    EXPECT_FALSE((*input)->finished());
    ::close(fds[1]);
    ASSERT_TRUE(test::eventually([&] { return (*input)->finished(); }));
    (*input)->stop();
    ::dup2(saved_stdin, 0);
    ::close(saved_stdin);
    EXPECT_EQ(sink.lines(), (Lines{"<13>one", "<13>two", std::string(256, 'y'), "<13>no newline"}));
    EXPECT_EQ((*input)->stats().oversize, 1u);
}

}  // namespace
}  // namespace cyberalarm::collector

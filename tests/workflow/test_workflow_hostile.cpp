// Unlucky start orders and restarts, and a shared machine: every program of a
// batch exits 0 by itself whatever the order they start in; a sink restarted
// mid-batch exits 3 (partial result); the default ipc folder is private.
#include "catch.hpp"
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "endpoints.hpp"
#include "expected.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using support::process;
namespace fs = std::filesystem;

namespace {

using clock = std::chrono::steady_clock;

constexpr std::uint32_t batch = 20, paths = 20'000;
constexpr int runs = 20;

std::string expected_value() { return "portfolio value " + workflow_test::expected_value(batch, paths) + " "; }

// Sets (or, with nullopt, unsets) an environment variable until the end of the scope.
class env_var {
public:
    env_var(const char* name, std::optional<std::string> value) : name_(name)
    {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    ~env_var()
    {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    env_var(const env_var&) = delete;
    env_var& operator=(const env_var&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// One batch: the sink and two workers start `gap` before the ventilator (or
// after it); every program must leave by itself, status 0, with no warning.
// Returns the time from the ventilator's "sending END" to the last exit.
clock::duration one_batch(const std::string& transport, bool ventilator_first, std::chrono::milliseconds gap)
{
    const std::vector<std::string> vent_argv{WORKFLOW_VENTILATOR, "--transport", transport, "--workers", "2",
                                             "--join-wait", "60", "--batch", std::to_string(batch),
                                             "--paths", std::to_string(paths), "--name", "ventilator"};
    std::unique_ptr<process> vent;
    std::vector<std::unique_ptr<process>> others;
    auto start_others = [&] {
        others.push_back(std::make_unique<process>(std::vector<std::string>{WORKFLOW_SINK, "--transport", transport, "--name", "sink"}));
        for (const char* name : {"w1", "w2"})
            others.push_back(std::make_unique<process>(std::vector<std::string>{WORKFLOW_WORKER, "--transport", transport, "--name", name}));
    };
    // The gap is the scenario itself (how far apart a person starts them), not synchronisation.
    if (ventilator_first) {
        vent = std::make_unique<process>(vent_argv);
        std::this_thread::sleep_for(gap);
        start_others();
    } else {
        start_others();
        std::this_thread::sleep_for(gap);
        vent = std::make_unique<process>(vent_argv);
    }

    INFO(transport << (ventilator_first ? ", ventilator first" : ", ventilator last") << ", " << gap.count() << " ms apart");
    {
        INFO(vent->output());
        REQUIRE(vent->wait_for("sending END", 60s));
    }
    const auto end_sent = clock::now();
    auto last_exit = end_sent;
    for (auto* p : {vent.get(), others[0].get(), others[1].get(), others[2].get()}) {
        INFO(p->output());
        REQUIRE(p->wait_exit(30s) == 0);
        last_exit = std::max(last_exit, clock::now());
        CHECK(p->lines_with("W:").empty());  // no fallback, no peer counted as gone
        CHECK(p->lines_with("E:").empty());
    }
    CHECK(vent->wait_for("END answered by 2 of 2 workers and the sink", 0ms));
    CHECK(others[0]->wait_for(expected_value(), 0ms));
    for (int i : {1, 2}) CHECK(others[i]->wait_for("leaving (the batch is complete)", 0ms));
    return last_exit - end_sent;
}

void every_gap(const std::string& transport, bool ventilator_first)
{
    support::use_private_default_endpoints();
    clock::duration worst{};
    for (int i = 0; i < runs; ++i) {
        const auto gap = std::chrono::milliseconds(i * 200 / (runs - 1));  // 0 to 200 ms
        worst = std::max(worst, one_batch(transport, ventilator_first, gap));
    }
    std::printf("%s, ventilator %s: %d of %d batches ended by themselves; END to the last exit at most %.0f ms\n",
                transport.c_str(), ventilator_first ? "first" : "last", runs, runs,
                std::chrono::duration<double, std::milli>(worst).count());
}

// The default ipc folder of a program started with this environment.
fs::path folder_of(process& p)
{
    const auto line = p.wait_for(" on ipc://");
    INFO(p.output());
    REQUIRE(line);
    return fs::path(support::endpoint_in(*line).substr(6)).parent_path();
}

}  // namespace

TEST_CASE("tcp: sink and workers 0-200 ms before the ventilator: all leave by themselves, 20 of 20", "[hostile]") { every_gap("tcp", false); }
TEST_CASE("tcp: sink and workers 0-200 ms after the ventilator: all leave by themselves, 20 of 20", "[hostile]") { every_gap("tcp", true); }
TEST_CASE("ipc: sink and workers 0-200 ms before the ventilator: all leave by themselves, 20 of 20", "[hostile]") { every_gap("ipc", false); }
TEST_CASE("ipc: sink and workers 0-200 ms after the ventilator: all leave by themselves, 20 of 20", "[hostile]") { every_gap("ipc", true); }

TEST_CASE("a sink restarted mid-batch ends with a partial count: status 3, not 0", "[hostile]")
{
    support::use_private_default_endpoints();
    process vent({WORKFLOW_VENTILATOR, "--batch", "100", "--paths", "1000000", "--retry-after", "0.3", "--join-wait", "60",
                  "--name", "ventilator"});
    auto first = std::make_unique<process>(std::vector<std::string>{WORKFLOW_SINK, "--name", "sink-1"});
    process worker({WORKFLOW_WORKER, "--name", "w"});
    // Killed once its progress line shows it has counted (and said DONE for) some.
    REQUIRE(first->wait_for("/100 tasks"));
    first->signal(SIGKILL);
    REQUIRE(first->wait_exit() == 128 + SIGKILL);
    process second({WORKFLOW_SINK, "--name", "sink-2"});

    const auto status = second.wait_exit(60s);
    INFO(second.output());
    REQUIRE(status == 3);
    CHECK(second.wait_for("E: partial result: END ", 0ms));
    CHECK(second.lines_with("portfolio value").empty());  // no total from part of the batch
    for (auto* p : {&vent, &worker}) {
        INFO(p->output());
        CHECK(p->wait_exit(30s) == 0);
    }
    CHECK(vent.wait_for("END answered by 1 of 1 worker and the sink", 0ms));
}

TEST_CASE("the default ipc folder is the user's own, mode 0700, and socket files go at exit", "[hostile]")
{
    support::private_dir tmp;
    const env_var no_override("BB_IPC_DIR", std::nullopt);
    fs::path expected;
    std::optional<env_var> xdg, tmpdir;
    SECTION("under $XDG_RUNTIME_DIR")
    {
        xdg.emplace("XDG_RUNTIME_DIR", tmp.path().string());
        expected = tmp.path() / "beyond-the-box";
    }
    SECTION("without it, under $TMPDIR, one per user")
    {
        xdg.emplace("XDG_RUNTIME_DIR", std::nullopt);
        tmpdir.emplace("TMPDIR", tmp.path().string());
        expected = tmp.path() / ("beyond-the-box-" + std::to_string(::geteuid()));
    }
    process vent({WORKFLOW_VENTILATOR, "--transport", "ipc"});
    REQUIRE(vent.wait_for("control on"));
    CHECK(folder_of(vent) == expected);
    struct stat st{};
    REQUIRE(::stat(expected.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
    CHECK(std::distance(fs::directory_iterator(expected), fs::directory_iterator()) == 3);
    vent.signal(SIGINT);
    INFO(vent.output());
    REQUIRE(vent.wait_exit() == 0);
    CHECK(fs::is_empty(expected));  // its three socket files are gone
}

TEST_CASE("an ipc folder others can use is refused, with status 1 and what to do", "[hostile]")
{
    support::private_dir tmp;
    const env_var no_override("BB_IPC_DIR", std::nullopt);
    const env_var xdg("XDG_RUNTIME_DIR", tmp.path().string());
    const auto folder = tmp.path() / "beyond-the-box";
    std::string why;
    SECTION("mode 0777")
    {
        fs::create_directory(folder);
        fs::permissions(folder, fs::perms::all);
        why = "has mode 0777: it must be 0700";
    }
    SECTION("another user's")
    {
        fs::create_directory(folder);
        fs::permissions(folder, fs::perms::owner_all);
        if (::geteuid() != 0) {
            WARN("not root: cannot give a folder to another user; not tested");
            return;
        }
        REQUIRE(::chown(folder.c_str(), 65534, 65534) == 0);
        why = "belongs to another user (uid 65534";
    }
    SECTION("a symbolic link")
    {
        fs::create_directory(tmp.path() / "real");
        fs::permissions(tmp.path() / "real", fs::perms::owner_all);
        fs::create_directory_symlink(tmp.path() / "real", folder);
        why = "is not a folder (a symbolic link?)";
    }
    // The binding side and the connecting side both refuse it.
    for (const auto* program : {WORKFLOW_SINK, WORKFLOW_WORKER}) {
        const auto r = support::run({program, "--transport", "ipc"});
        INFO(r.output);
        CHECK(r.status == 1);
        CHECK_THAT(r.output, ContainsSubstring("E: the ipc folder " + folder.string() + " " + why));
        CHECK_THAT(r.output, ContainsSubstring("BB_IPC_DIR"));
    }
}

TEST_CASE("BB_IPC_DIR still moves the ipc folder, and is checked as well", "[hostile]")
{
    support::private_dir tmp;
    const auto folder = tmp.path() / "mine";
    const env_var dir("BB_IPC_DIR", folder.string());
    {
        process sink({WORKFLOW_SINK, "--transport", "ipc"});
        CHECK(folder_of(sink) == folder);
        sink.signal(SIGINT);
        REQUIRE(sink.wait_exit() == 0);
    }
    CHECK(fs::is_empty(folder));
    fs::permissions(folder, fs::perms::all);
    const auto r = support::run({WORKFLOW_SINK, "--transport", "ipc"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK_THAT(r.output, ContainsSubstring("has mode 0777"));
}

// Hostile and unlucky peers of the chat (issue 11): a port scan, a reader
// that stops reading, thousands of connections at once, a password guesser,
// a flood, a careless umask. Nobody else may notice: a newcomer is welcomed
// and a joined user's /who is answered within 1 s, each measured.
#include "catch.hpp"
#include "timing.hpp"
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "chat_test_util.hpp"
#include "common/stop.hpp"
#include "hostile.hpp"

using namespace chat_test;
using support::raw_tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto served_within = 1s * support::sanitizer_slowdown;  // the bound issue 11 states (timing.hpp)

double ms(clock_type::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Figures for the report, on stdout (ctest -V shows them).
template <class... Parts> void figure(const Parts&... parts)
{
    std::ostringstream out;
    (out << ... << parts);
    std::printf("figure: %s\n", out.str().c_str());
    std::fflush(stdout);
}

// Thousands of connections need as many file descriptors as the system allows.
void raise_file_limit()
{
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
}

// A quiet chat-server over ipc (it logs every message otherwise, and these
// tests send thousands) and a chat-gateway in front of it.
struct chat_with_gateway {
    support::private_dir dir;
    std::string commands = dir.ipc("commands"), broadcasts = dir.ipc("broadcasts");
    process server{{CHAT_SERVER, "--bind", commands, "--publish", broadcasts, "--quiet", "--name", "server"}};
    std::unique_ptr<process> gateway;
    std::string listen;

    explicit chat_with_gateway(std::vector<std::string> extra = {})
    {
        std::vector<std::string> argv{CHAT_GATEWAY, "--connect", commands, "--subscribe", broadcasts, "--listen", support::any_tcp};
        argv.insert(argv.end(), extra.begin(), extra.end());
        gateway = std::make_unique<process>(argv);
        listen = support::endpoint_in(expect_line(*gateway, "listening on"));
    }
};

// Somebody with nc who gave a handle and is in the room.
std::unique_ptr<raw_tcp> join(const std::string& listen, const std::string& handle, int rcvbuf = 0)
{
    auto nc = std::make_unique<raw_tcp>(listen, rcvbuf);
    REQUIRE(nc->wait_for("Your handle? ", 10s));
    REQUIRE(nc->send(handle + "\n"));
    INFO(handle << " received: " << nc->received());
    REQUIRE(nc->wait_for("-- type to talk", 15s));
    return nc;
}

// Everyone else is still served: a newcomer is welcomed, a joined user's /who
// is answered, each within 1 s (measured).
void check_served(chat_with_gateway& chat, raw_tcp& joined, const std::string& what)
{
    const auto start = clock_type::now();
    raw_tcp newcomer(chat.listen);
    const bool welcomed = newcomer.wait_for("Your handle? ", 10s);
    const auto welcome = clock_type::now() - start;
    const auto asked = clock_type::now();
    REQUIRE(joined.send("/who\n"));
    const bool answered = joined.wait_for("-- present: ", 10s);
    const auto who = clock_type::now() - asked;
    figure(what, ": newcomer welcomed in ", ms(welcome), " ms, /who answered in ", ms(who), " ms");
    INFO(what << "; the gateway printed:\n" << chat.gateway->output());
    REQUIRE(welcomed);
    REQUIRE(answered);
    CHECK(welcome < served_within);
    CHECK(who < served_within);
}

long rss_of(process& p)
{
    const auto rss = support::rss_kib(p.pid());
    REQUIRE(rss);
    return *rss;
}

// Opens n connections and closes them straight away, half with a reset.
void open_and_close(const std::string& listen, int n)
{
    for (int i = 0; i < n; ++i) {
        raw_tcp scan(listen);
        if (i % 2) scan.reset();
    }
}

}  // namespace

TEST_CASE("gateway: 50 quick open/close connections in a row (a port scan) leave everyone served", "[hostile]")
{
    chat_with_gateway chat;
    auto judy = join(chat.listen, "judy");
    open_and_close(chat.listen, 50);
    check_served(chat, *judy, "after 50 open/close");
    // And those that read the welcome first, then go.
    for (int i = 0; i < 50; ++i) {
        raw_tcp scan(chat.listen);
        REQUIRE(scan.wait_for("Your handle? "));
    }
    check_served(chat, *judy, "after 50 more that read the welcome");
}

TEST_CASE("gateway: a reader that stops reading is closed, and the others are served through 5000 lines", "[hostile]")
{
    chat_with_gateway chat;
    auto staller = join(chat.listen, "staller", 4096);  // small window, and from now on never reads
    auto judy = join(chat.listen, "judy");

    zmq::context_t ctx;
    raw_client chatter(ctx, chat.commands);
    REQUIRE(chatter.ask({"JOIN", "chatter"}, 10s) == std::vector<std::string>{"OK", "JOIN", "chatter"});
    // Said until judy hears it: the gateway's SUB may still be on its way to the server.
    auto say_until_heard = [&](const std::string& text) {
        for (int i = 0; i < 20; ++i) {
            REQUIRE(chatter.ask({"SAY", "lobby", text}, 10s).size() == 2);
            if (judy->wait_for("<chatter> " + text, 1s)) return true;
        }
        return false;
    };
    REQUIRE(say_until_heard("is anybody there?"));
    // 5000 lines of 200 bytes (1 MB: far more than the staller's queue and
    // kernel buffers), at most 100 unanswered at a time; judy keeps reading.
    const std::string padding(180, '.');
    int unanswered = 0;
    std::vector<zmq::message_t> reply;
    auto next_reply = [&] {  // judy reads meanwhile
        for (auto deadline = clock_type::now() + 10s; clock_type::now() < deadline;) {
            if (common::recv(chatter.socket(), reply, {}, 5ms)) return true;
            while (!judy->read_some(0ms).empty()) {}
        }
        return false;
    };
    for (int i = 0; i < 5000; ++i) {
        chatter.send({"SAY", "lobby", "line " + std::to_string(i) + " " + padding});
        for (++unanswered; unanswered >= 100; --unanswered) REQUIRE(next_reply());
        while (!judy->read_some(0ms).empty()) {}
    }
    for (; unanswered > 0; --unanswered) REQUIRE(next_reply());
    INFO("the gateway printed:\n" << chat.gateway->output());
    // The end, said until judy hears it (PUB/SUB drops for a subscriber that
    // falls behind: the gateway, on a busy machine).
    REQUIRE(say_until_heard("end of the flood"));

    expect_line(*chat.gateway, "staller stopped reading", 15s);
    CHECK(staller->closed_by_peer(30s));
    check_served(chat, *judy, "after a stalled reader and 5000 lines");
    // How many judy got (PUB/SUB drops when a subscriber falls behind, here the gateway on a busy machine).
    const auto& got = judy->received();
    std::size_t lines = 0;
    for (auto at = got.find("<chatter> line "); at != std::string::npos; at = got.find("<chatter> line ", at + 1)) ++lines;
    figure("judy received ", lines, " of 5000 lines while the staller stalled");
    CHECK(chat.gateway->lines_with("judy stopped reading").empty());
}

TEST_CASE("gateway: 3000 connections at once, and the memory of closed ones does not stay", "[hostile]")
{
    raise_file_limit();
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < 3500) {
        WARN("not run: 3000 connections need 3500 file descriptors; this process may open " << files.rlim_cur);
        return;
    }
    chat_with_gateway chat({"--max-people", "4000"});
    auto judy = join(chat.listen, "judy");
    check_served(chat, *judy, "before the 3000");
    const auto rss_before = rss_of(*chat.gateway);

    std::vector<std::unique_ptr<raw_tcp>> crowd;
    const auto start = clock_type::now();
    for (int i = 0; i < 3000; ++i) crowd.push_back(std::make_unique<raw_tcp>(chat.listen));
    for (auto& c : crowd) REQUIRE(c->wait_for("Your handle? ", 30s));
    figure("3000 connections opened and welcomed in ", ms(clock_type::now() - start), " ms");
    check_served(chat, *judy, "with 3000 connections open");
    const auto rss_open = rss_of(*chat.gateway);

    for (std::size_t i = 0; i < crowd.size(); ++i) i % 2 ? crowd[i]->reset() : crowd[i]->close();
    crowd.clear();
    check_served(chat, *judy, "right after 3000 hung up at once");
    const auto rss_closed = rss_of(*chat.gateway);  // malloc keeps what the 3000 used, for reuse
    // Closed connections leave nothing behind: 30 rounds of 300 more. malloc's
    // heap settles in the first ten (RSS creeps by 5-10 MB there, on Debian 12
    // and 13 alike); over the next 6000 connections it grew by 2-3.5 MB. An
    // open connection costs about 21 KB (libzmq's buffers and ours), so 12 MB
    // is less than a tenth of what each one leaves when it is not freed. Our
    // own bookkeeping is counted exactly by the exit summary below.
    for (int round = 0; round < 10; ++round) open_and_close(chat.listen, 300);
    const auto rss_settled = rss_of(*chat.gateway);
    for (int round = 0; round < 20; ++round) open_and_close(chat.listen, 300);
    check_served(chat, *judy, "after 9000 more open/close");
    const auto rss_after = rss_of(*chat.gateway);
    figure("gateway RSS: ", rss_before, " KiB before, ", rss_open, " KiB with 3000 open, ", rss_closed,
           " KiB when they closed, ", rss_settled, " KiB after 3000 more, ", rss_after, " KiB after 6000 more");
    // Under ASan freed memory waits in its quarantine (256 MB), so RSS says
    // nothing there: the exit summary's counts below are the check.
    if (!support::under_sanitizer) CHECK(rss_after - rss_settled < 12 * 1024);

    const auto stopping = clock_type::now();
    chat.gateway->signal(SIGINT);
    const auto status = chat.gateway->wait_exit(5s);
    figure("gateway stopped in ", ms(clock_type::now() - stopping), " ms");
    INFO(chat.gateway->output());
    REQUIRE(status == 0);
    // judy and the newcomers of check_served may still be there; none of the 12000.
    const auto summary = chat.gateway->wait_for("stopped with", 0ms);
    REQUIRE(summary);
    CHECK(std::stoi(summary->substr(summary->find("stopped with") + 13)) <= 6);
    const auto remembered = summary->find("(");
    REQUIRE(remembered != std::string::npos);
    CHECK(std::stoi(summary->substr(remembered + 1)) <= 6);  // the closes of its own last turns, if any
}

TEST_CASE("gateway: out of file descriptors, it says so and keeps serving those it has", "[hostile]")
{
    // A hard limit of 64 files: the gateway cannot raise it.
    support::private_dir dir;
    const auto commands = dir.ipc("commands"), broadcasts = dir.ipc("broadcasts");
    process server({CHAT_SERVER, "--bind", commands, "--publish", broadcasts, "--quiet"});
    process gateway({"/bin/sh", "-c", std::string("ulimit -n 64 && exec ") + CHAT_GATEWAY + " --connect " + commands +
                                          " --subscribe " + broadcasts + " --listen tcp://127.0.0.1:*"});
    const auto listen = support::endpoint_in(expect_line(gateway, "listening on"));
    auto judy = join(listen, "judy");
    std::vector<std::unique_ptr<raw_tcp>> crowd;
    for (int i = 0; i < 100; ++i) crowd.push_back(std::make_unique<raw_tcp>(listen));  // the kernel accepts them all
    expect_line(gateway, "out of file descriptors", 10s);
    const auto asked = clock_type::now();
    REQUIRE(judy->send("/who\n"));
    REQUIRE(judy->wait_for("-- present: judy", 10s));
    figure("/who answered in ", ms(clock_type::now() - asked), " ms with the gateway out of file descriptors");
    CHECK(clock_type::now() - asked < served_within);
    crowd.clear();
    gateway.signal(SIGINT);
    CHECK(gateway.wait_exit(5s) == 0);
}

namespace {

// The start of a ZMTP 3.0 PLAIN handshake, written by hand: greeting, then
// HELLO with a user name and password (RFC 23, RFC 24).
std::string plain_hello(const std::string& user, const std::string& password)
{
    std::string greeting("\xFF\0\0\0\0\0\0\0\x01\x7F\x03\x00", 12);
    std::string mechanism = "PLAIN";
    mechanism.resize(20, '\0');
    greeting += mechanism + std::string(1, '\0') + std::string(31, '\0');
    std::string body = std::string("\x05HELLO") + static_cast<char>(user.size()) + user + static_cast<char>(password.size()) + password;
    return greeting + "\x04" + static_cast<char>(body.size()) + body;
}

}  // namespace

TEST_CASE("server: 1000 wrong passwords give a handful of log lines, and the right one still gets in", "[hostile]")
{
    support::private_dir dir;
    const auto passwords = dir.path() / "passwords";
    std::ofstream(passwords) << "alice:wonderland\n";
    auto s = start_server("tcp", dir, {"--passwords", passwords.string()});
    const auto start = clock_type::now();
    int refused = 0;
    for (int batch = 0; batch < 20; ++batch) {  // 50 guessers at a time
        std::vector<std::unique_ptr<raw_tcp>> guessers;
        for (int i = 0; i < 50; ++i) {
            guessers.push_back(std::make_unique<raw_tcp>(s.commands));
            REQUIRE(guessers.back()->send(plain_hello("alice", "guess" + std::to_string(batch * 50 + i))));
        }
        // The ERROR command with status 400 (libzmq 4.3.4 writes its name as "^RROR"); then the guesser goes.
        for (auto& g : guessers) refused += g->wait_for("RROR\x03" "400", 10s);
    }
    const auto took = clock_type::now() - start;
    CHECK(refused == 1000);
    auto alice = start_client(s, "alice", {"--plain", "alice:wonderland"});
    expect_line(*s.proc, "alice joined");  // the server's log, read up to here
    const auto lines = s.proc->lines_with("W: refused").size();
    figure("1000 wrong passwords in ", ms(took), " ms: ", lines, " log lines");
    INFO(s.proc->output());
    CHECK(lines >= 1);
    CHECK(lines <= 2 + static_cast<std::size_t>(took / 5s));  // one per 5 s, the rest counted
}

TEST_CASE("keygen: the secret key file is created 0600, even with umask 000", "[hostile]")
{
    support::private_dir dir;
    const auto keys = dir.path() / "keys";
    auto mode = [](const std::filesystem::path& f) {
        struct stat st {};
        REQUIRE(::stat(f.c_str(), &st) == 0);
        return st.st_mode & 07777;
    };
    const auto old_mask = ::umask(0);
    const auto result = support::run({CHAT_KEYGEN, "server", "--dir", keys.string()});
    // --force over an existing world-readable file: it becomes 0600 too.
    ::chmod((keys / "server.key").c_str(), 0666);
    const auto again = support::run({CHAT_KEYGEN, "server", "--dir", keys.string(), "--force"});
    // Never created wider, not even for a moment: the mode open(2) is given (strace, if it works here).
    const auto trace = dir.path() / "trace";
    const auto traced = support::run({"/bin/sh", "-c", "command -v strace >/dev/null || exit 77; strace -f -qq -e trace=open,openat,creat -o " +
                                      trace.string() + " " + CHAT_KEYGEN + " alice --dir " + keys.string()});
    ::umask(old_mask);
    INFO(result.output << again.output << traced.output);
    REQUIRE(result.status == 0);
    CHECK(mode(keys / "server.key") == 0600);
    CHECK(mode(keys / "server.pub") == 0644);
    REQUIRE(again.status == 0);
    CHECK(mode(keys / "server.key") == 0600);
    if (traced.status != 0) {
        WARN("not checked how the file is created: strace is missing or cannot trace here (status " << traced.status << ")");
        return;
    }
    std::ifstream calls(trace);
    std::string call, created;
    while (std::getline(calls, call))
        if (call.find("alice.key\"") != std::string::npos && call.find("O_CREAT") != std::string::npos) created = call;
    INFO("strace: " << created);
    CHECK(created.find(", 0600)") != std::string::npos);
    CHECK(mode(keys / "alice.key") == 0600);
}

TEST_CASE("SIGINT right after a flood: server and gateway exit 0 within 500 ms", "[hostile]")
{
    chat_with_gateway chat;
    auto judy = join(chat.listen, "judy");
    auto flooder = join(chat.listen, "flooder");
    zmq::context_t ctx;
    raw_client chatter(ctx, chat.commands);
    chatter.socket().set(zmq::sockopt::sndhwm, 0);
    chatter.socket().set(zmq::sockopt::linger, 0);  // the server will be gone with its queue
    REQUIRE(chatter.ask({"JOIN", "chatter"}, 10s).size() == 3);
    // The flood: 20,000 commands to the server and 20,000 lines into the
    // gateway, all sent; both are still working through them at the signal.
    for (int i = 0; i < 20000; ++i) chatter.send({"SAY", "lobby", "flood " + std::to_string(i)});
    std::string lines;
    for (int i = 0; i < 20000; ++i) lines += "flood from tcp " + std::to_string(i) + "\n";
    flooder->send(lines, 30s);  // as much as the gateway takes: it may close a flooder who does not read
    std::vector<zmq::message_t> reply;
    REQUIRE(common::recv(chatter.socket(), reply, {}, 10s));  // the server is at it

    for (auto* p : {chat.gateway.get(), &chat.server}) {
        const auto start = clock_type::now();
        p->signal(SIGINT);
        const auto status = p->wait_exit(5s);
        const auto took = clock_type::now() - start;
        figure(p == &chat.server ? "server" : "gateway", " exited ", ms(took), " ms after SIGINT, in a flood");
        INFO(p->output());
        CHECK(status == 0);
        CHECK(took < 500ms * support::sanitizer_slowdown);
    }
}

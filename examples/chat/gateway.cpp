// chat-gateway: a STREAM socket binds plain TCP (default tcp://*:5572) so that
// anyone can chat with `nc HOST 5572`, no ZeroMQ needed. STREAM hands us raw
// bytes as [connection id][data]; an empty data frame means a connection
// opened or closed. Each person gets a DEALER session to the server
// (default tcp://127.0.0.1:5570); one SUB (default tcp://127.0.0.1:5571)
// brings the room's messages, which go out to every connection.
#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "chat.hpp"
#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "common/throttle.hpp"
#include "events.hpp"
#include "session.hpp"

namespace chat {

constexpr std::size_t max_line_slack = 64;  // bytes past max_text before a line is dropped
constexpr std::size_t per_turn = 1000;        // STREAM messages per turn, then the rest of the loop

void add_options(common::program& prog, gateway_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    add_options(prog, opts.conn);
    app.add_option("-l,--listen", opts.listen, "Where people connect with nc or telnet: tcp only (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->default_str("tcp://*:" + std::to_string(common::default_port("chat-gateway")));
    app.add_option("-r,--room", opts.room, "Room the people from TCP talk in")
        ->check([](const std::string& r) { return valid_name(r) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    app.add_option("--max-people", opts.max_people, "Most TCP connections at once")->check(CLI::PositiveNumber);
    prog.after_parse([&] {
        if (opts.listen.empty()) opts.listen.push_back(common::endpoints_for("chat-gateway", common::transport::tcp).bind);
        for (const auto& ep : opts.listen)
            if (!ep.starts_with("tcp://")) throw common::usage_error("--listen '" + ep + "': a STREAM socket speaks tcp only");
    });
}

namespace {

using clock = std::chrono::steady_clock;

// A connection that does not read: its queue holds this many lines (plus what
// the kernel buffers); then lines to it are dropped, and after this long
// without a line going through, it is closed.
constexpr int send_queue = 100;
constexpr int kernel_buffer = 64 * 1024;  // SO_SNDBUF per connection: no autotuning up to megabytes
constexpr int backlog = 1024;              // connections waiting to be accepted (an audience joining at once)
constexpr auto stuck_for = 5s;
// The kernel closes a connection whose data stays unacknowledged this long (or
// whose reader keeps its window shut): ZMQ_TCP_MAXRT, TCP_USER_TIMEOUT on Linux.
constexpr auto tcp_give_up = 10s;
// How long the id of a connection we closed is remembered: libzmq may still
// hand us its "closed" notice, which must not pass for a new connection.
constexpr auto remember_closed = 5s;

// One person on a raw TCP connection.
struct person {
    line_splitter lines;
    std::unique_ptr<session> chat;  // once they gave a handle
    unsigned generation = 0;        // the session's, when last seen
    unsigned dropped = 0;           // lines in a row that did not go out
    clock::time_point stuck_since{};
    bool closing = false;           // closed at the end of this turn
    bool gone = false;              // libzmq no longer knows the connection
};

// What became of one write on the STREAM socket.
enum class sent { yes, full, gone };

class gateway {
public:
    gateway(zmq::context_t& ctx, const gateway_options& opts, const common::console& out, zmq::socket_ref stream)
        : ctx_(ctx), opts_(opts), out_(out), stream_(stream) {}

    // slide: chat-gateway-stream-in
    // [id][bytes]: data; [id][nothing]: a connection opened or closed.
    void from_stream(std::vector<zmq::message_t>& msg)
    {
        if (msg.size() != 2) return;
        const auto id = msg[0].to_string();
        const auto bytes = msg[1].to_string_view();
        auto it = people_.find(id);
        if (!bytes.empty()) {
            if (it != people_.end()) received(id, it->second, bytes);
        } else if (it != people_.end()) {
            hung_up(it);
        } else if (!forget_closed(id)) {  // not a late notice of one we closed
            opened(id);
        }
    }
    // end slide

    // A broadcast from the server, for everyone with a handle.
    void from_sub(const broadcast& b)
    {
        if (b.topic != presence_topic && b.topic != opts_.room) return;
        const std::string text = b.kind == word::msg ? "<" + b.handle + "> " + b.text + "\n"
                                 : "* " + b.handle + (b.kind == word::joined ? " joined\n" : b.kind == word::left ? " left\n" : " expired\n");
        for (auto& [id, p] : people_)
            if (p.chat && p.chat->joined() && !(b.kind == word::msg && b.handle == p.chat->handle())) tell(id, p, text);
    }

    void add_poll_items(std::vector<zmq::pollitem_t>& items)
    {
        for (auto& [id, p] : people_)
            if (p.chat) for (const auto& item : p.chat->poll_items()) items.push_back(item);
    }

    // Each person's session: replies, heartbeats, reconnects.
    std::chrono::milliseconds run_sessions()
    {
        auto next = std::chrono::milliseconds(1000);
        any_joined_ = false;
        for (auto& [id, p] : people_) {
            if (!p.chat) continue;
            try {
                p.chat->pump();
                p.chat->tick();
                next = std::min(next, p.chat->next_tick());
                if (p.chat->generation() != p.generation) reconnected_ = true;
                p.generation = p.chat->generation();
                any_joined_ = any_joined_ || p.chat->joined();
            } catch (const std::exception& e) {  // e.g. the handle is taken: ask again
                tell(id, p, std::string("! ") + e.what() + "\nYour handle? ");
                p.chat.reset();
            }
        }
        return next;
    }

    // After each batch of work: close the connections marked for it, retry
    // closes that did not go in, forget old closed ids.
    void sweep()
    {
        const auto now = clock::now();
        for (auto& [id, p] : people_) {
            if (p.closing || p.dropped == 0 || now - p.stuck_since < stuck_for) continue;
            p.closing = true;
            if (const auto quiet = stuck_log_.allow())
                out_.warn(p.chat ? p.chat->handle() : "someone", " stopped reading (", p.dropped, " lines dropped, none went through for ",
                          std::chrono::duration_cast<std::chrono::seconds>(stuck_for).count(), " s): closing the connection",
                          *quiet ? " (and " + std::to_string(*quiet) + " more since the last report)" : "");
        }
        for (auto it = people_.begin(); it != people_.end();) {
            if (!it->second.closing) { ++it; continue; }
            if (it->second.chat) it->second.chat->leave();
            if (!it->second.gone) hang_up(it->first);
            else remember(it->first);
            it = people_.erase(it);
        }
        for (auto it = stuck_.begin(); it != stuck_.end();) {
            const auto r = write(*it, {});
            if (r == sent::full) { ++it; continue; }
            remember(*it);
            it = stuck_.erase(it);
        }
        while (!closed_order_.empty() && clock::now() - closed_order_.front().second > remember_closed) {
            closed_.erase(closed_order_.front().first);
            closed_order_.pop_front();
        }
    }

    void close_all()
    {
        for (auto& [id, p] : people_) {
            if (p.chat) p.chat->leave();
            tell(id, p, "-- the gateway is closing. Bye!\n");
            p.closing = true;
        }
        sweep();
    }

    std::size_t size() const { return people_.size(); }
    // Connection ids held besides people: closes not gone through yet, recent closes.
    std::size_t remembered() const { return stuck_.size() + closed_.size(); }
    // A session reconnected since the last call (the server may have restarted).
    bool reconnected() { return std::exchange(reconnected_, false); }
    bool anyone_joined() const { return any_joined_; }  // at the last run_sessions()

private:
    void opened(const std::string& id)
    {
        if (people_.size() >= opts_.max_people) {
            write(id, "! the chat is full, sorry\n");
            return hang_up(id);
        }
        auto& p = people_.emplace(id, person{}).first->second;
        if (const auto quiet = comings_.allow())
            out_.info("someone connected (", people_.size(), " on TCP now", not_shown(*quiet), ")");
        tell(id, p, "Welcome to the ZeroMQ chat, room " + opts_.room + ". Your handle? ");
    }

    // Bytes from a person: TCP has no message boundaries, so they are cut
    // into lines here. A person closed in this turn (stuck, or /quit) gets
    // nothing more.
    void received(const std::string& id, person& p, std::string_view bytes)
    {
        p.lines.feed(bytes, opts_.conn.max_text + max_line_slack,
                     [&](const std::string& text) { if (!p.closing) line(id, p, text); },
                     [&] { if (!p.closing) tell(id, p, "! that line is too long: dropped\n"); });
    }

    void hung_up(std::map<std::string, person>::iterator it)
    {
        if (it->second.chat) it->second.chat->leave();
        const auto who = it->second.chat ? it->second.chat->handle() : "someone";
        people_.erase(it);  // nothing comes after this notice: nothing to remember
        if (const auto quiet = comings_.allow())
            out_.info(who, " hung up (", people_.size(), " on TCP now", not_shown(*quiet), ")");
    }

    static std::string not_shown(std::uint64_t n)
    {
        return n == 0 ? "" : "; " + std::to_string(n) + " more connections and hang-ups not shown";
    }

    void line(const std::string& id, person& p, const std::string& text)
    {
        if (text.empty()) return;
        if (!p.chat) {  // the first line is the handle
            if (!valid_name(text)) return tell(id, p, "! 1-24 characters of A-Z a-z 0-9 _ . - please. Your handle? ");
            auto to = [this, id](const std::string& words) {
                if (auto it = people_.find(id); it != people_.end()) tell(id, it->second, words);
            };
            client_events events;
            events.on_notice = [to](const std::string& notice) { to("-- " + notice + "\n"); };
            events.on_reply = [to](const reply& r) {
                if (!r.ok) return to("! the server refused " + r.command + ": " + r.values[0] + "\n");
                if (r.command == word::join) to("-- type to talk; /who lists who is here, /quit leaves\n");
                if (r.command != word::who) return;
                std::string list;
                for (const auto& h : r.values) list += (list.empty() ? "" : ", ") + h;
                to("-- present: " + list + "\n");
            };
            p.chat = std::make_unique<session>(ctx_, opts_.conn, text, std::move(events), out_, opts_.role.monitor);
            p.generation = p.chat->generation();
            return;
        }
        if (text == "/quit") {
            p.chat->leave();
            tell(id, p, "-- bye!\n");
            p.closing = true;
        } else if (text == "/who") {
            p.chat->who();
        } else if (!p.chat->joined()) {
            tell(id, p, "! not in the chat yet: wait a moment\n");
        } else {
            p.chat->say(opts_.room, text);
        }
    }

    // A line for one person. One that cannot go out is dropped; a connection
    // that takes nothing for too long is closed. Nobody else waits for it.
    void tell(const std::string& id, person& p, std::string_view text)
    {
        if (p.closing) return;
        const auto r = write(id, text);
        if (r == sent::yes) {
            p.dropped = 0;
            return;
        }
        if (r == sent::gone) {
            p.gone = p.closing = true;
            return;
        }
        if (p.dropped++ == 0) p.stuck_since = clock::now();  // sweep() closes it if this lasts
    }

    // slide: chat-gateway-stream-out
    // STREAM: [id][bytes] writes; [id][nothing] closes. Never waits.
    sent write(const std::string& id, std::string_view bytes)
    {
        const auto more = zmq::send_flags::sndmore | zmq::send_flags::dontwait;
        try {  // a refused id (queue full, or gone): its bytes must not follow
            if (!stream_.send(zmq::buffer(id), more)) return sent::full;
        } catch (const zmq::error_t& e) {
            if (e.num() != EHOSTUNREACH) throw;
            return sent::gone;
        }
        stream_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
        return sent::yes;
    }
    // end slide

    void hang_up(const std::string& id)
    {
        if (write(id, {}) == sent::full) stuck_.insert(id);  // retried each turn; the kernel gives up after tcp_give_up
        else remember(id);
    }
    void remember(const std::string& id)
    {
        if (closed_.insert(id).second) closed_order_.emplace_back(id, clock::now());
    }
    bool forget_closed(const std::string& id) { return stuck_.erase(id) + closed_.erase(id) > 0; }

    zmq::context_t& ctx_;
    const gateway_options& opts_;
    const common::console& out_;
    zmq::socket_ref stream_;
    std::map<std::string, person> people_;  // by STREAM connection id
    std::set<std::string> stuck_;           // closed by us, the close not gone in yet
    std::set<std::string> closed_;          // closed by us lately: ignore their late notice
    std::deque<std::pair<std::string, clock::time_point>> closed_order_;
    common::throttle comings_, stuck_log_;  // a port scan must not flood the log
    bool reconnected_ = false, any_joined_ = false;
};

}  // namespace

void run_gateway(zmq::context_t& ctx, const gateway_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    zmq::socket_t sub;
    auto open_sub = [&] {
        sub = zmq::socket_t(ctx, zmq::socket_type::sub);
        secure_client_socket(sub, opts.conn.security);
        sub.set(zmq::sockopt::subscribe, presence_topic);
        sub.set(zmq::sockopt::subscribe, opts.room);
        for (const auto& ep : opts.conn.subscribe) common::connect(sub, ep);
    };
    open_sub();
    bool sub_welcomed = true;
    const bool over_inproc = std::any_of(opts.conn.subscribe.begin(), opts.conn.subscribe.end(),
                                         [](const std::string& ep) { return ep.starts_with("inproc://"); });

    zmq::socket_t stream(ctx, zmq::socket_type::stream);
    stream.set(zmq::sockopt::sndhwm, send_queue);
    stream.set(zmq::sockopt::sndbuf, kernel_buffer);
    stream.set(zmq::sockopt::backlog, backlog);
    stream.set(zmq::sockopt::tcp_maxrt, static_cast<int>(std::chrono::milliseconds(tcp_give_up).count()));
    // Its events: --monitor prints them; a failed accept (out of file descriptors) is always said.
    event_pipe events(ctx, stream);
    common::throttle accept_failures;
    auto on_event = [&](std::uint16_t event, std::uint32_t value, const std::string& endpoint) {
        if (opts.role.monitor) out.info(out.paint("monitor ", common::colour::grey), "stream: ", common::event_name(event), " ", endpoint);
        if (event != ZMQ_EVENT_ACCEPT_FAILED) return;
        if (const auto quiet = accept_failures.allow())
            out.warn("cannot accept a connection on ", endpoint, ": ", zmq_strerror(static_cast<int>(value)),
                     value == EMFILE || value == ENFILE ? " (out of file descriptors: ulimit -n, or --max-people)" : "",
                     *quiet ? " (" + std::to_string(*quiet) + " more since the last report)" : "");
    };
    for (const auto& ep : opts.listen) {
        const auto bound = common::bind(stream, ep);
        auto host = bound.substr(6, bound.rfind(':') - 6);
        if (host == "0.0.0.0") host = "<this machine's address>";
        out.info("listening on ", bound, " (try: nc ", host, " ", bound.substr(bound.rfind(':') + 1), ")");
    }

    gateway bridge(ctx, opts, out, stream);
    std::vector<zmq::message_t> msg;
    auto wait = std::chrono::milliseconds(1000);
    while (!stop.stop_requested()) {
        std::vector<zmq::pollitem_t> items{{stream.handle(), 0, ZMQ_POLLIN, 0}, {sub.handle(), 0, ZMQ_POLLIN, 0}, events.poll_item()};
        bridge.add_poll_items(items);
        if (!common::poll(items, stop, wait) && stop.stop_requested()) break;
        events.drain(on_event);
        for (std::size_t i = 0; i < per_turn && common::recv(stream, msg, stop, 0ms); ++i) bridge.from_stream(msg);
        bridge.sweep();
        for (std::size_t i = 0; i < per_turn && common::recv(sub, msg, stop, 0ms); ++i) {
            if (msg.size() == 1 && msg[0].to_string_view() == welcome) {
                sub_welcomed = true;
                continue;
            }
            auto b = parse_broadcast(msg, opts.conn.max_text);
            if (b) bridge.from_sub(*b);
            else out.warn("dropped a malformed broadcast: ", b.error());
        }
        bridge.sweep();
        wait = bridge.run_sessions();
        bridge.sweep();
        // As in the client: a tcp or ipc SUB comes back (and is welcomed) by
        // itself after a server restart; an inproc one never does.
        if (bridge.reconnected() && over_inproc) sub_welcomed = false;
        if (!sub_welcomed && bridge.anyone_joined()) {
            open_sub();
            sub_welcomed = true;
        }
    }
    bridge.close_all();
    out.summary("stopped with ", bridge.size(), " people connected (", bridge.remembered(), " closed connections remembered)");
}

}  // namespace chat

#if defined(__SANITIZE_ADDRESS__)
// A leak inside libzmq 4.3 (src/stream.cpp, stream_t::xsend): when the pipe of
// a connection is terminated between the id frame and the data frame of one
// send (the close of that connection is processed inside the second
// zmq_send), the data frame is neither queued nor freed. At most one line per
// connection that closes at that very moment; nothing in this code can avoid
// it. Debian's libzmq has no symbols to single that frame out, so in the
// programs that link the gateway LeakSanitizer leaves out what libzmq itself
// allocated; leaks of this project's own allocations are still reported.
extern "C" const char* __lsan_default_suppressions() { return "leak:libzmq.so\n"; }
#endif

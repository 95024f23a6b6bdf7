// chat-server: ROUTER binds for commands (default tcp://*:5570), XPUB binds
// for broadcasts (default tcp://*:5571), one poll loop. The ROUTER prefixes
// each command with its sender's routing id, which is how the server tells
// clients apart and replies to one of them. Joins, leaves, expiries and
// messages go out on the XPUB, topic first. XPUB is a PUB that also hands us
// the subscriptions, and greets each new subscriber once they are in place.
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <unordered_map>
#include <zmq_addon.hpp>

#include "chat.hpp"
#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "events.hpp"
#include "common/stop.hpp"

namespace chat {

using clock = std::chrono::steady_clock;

constexpr std::size_t frame_overhead = 256;  // ZMQ_MAXMSGSIZE = max_text + this
constexpr std::size_t batch = 100;           // commands per poll, then look at expiries
constexpr auto repeat_quiet = 5s;            // the same handshake failure is logged once per this

void add_options(common::program& prog, server_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    prog.add_endpoints("-b,--bind", opts.bind, "chat", common::side::bind, "Where clients send commands (ROUTER)");
    prog.add_endpoints("-p,--publish", opts.publish, "chat-broadcast", common::side::bind, "Where clients subscribe to broadcasts (PUB)");
    app.add_option_function<double>("--expiry", [&](double s) { opts.expiry = std::chrono::milliseconds(static_cast<long>(s * 1000)); },
                                    "Seconds of silence after which a client is gone")
        ->check(CLI::PositiveNumber)->type_name("S")->default_str("10");
    app.add_option("--max-text", opts.max_text, "Longest message text, in bytes")->check(CLI::Range(1, 1 << 20));
    prog.add_count(opts.count, "messages said");
    app.add_option("--curve", opts.security.curve_key_file, "CURVE: this server's secret key file (from chat-keygen); needs --allow")
        ->type_name("FILE")->check(CLI::ExistingFile);
    app.add_option("--allow", opts.security.allow_dir, "CURVE: folder of clients' public keys (*.pub) allowed in")
        ->type_name("DIR")->check(CLI::ExistingDirectory);
    app.add_option("--passwords", opts.security.password_file, "PLAIN: file of user:password lines")
        ->type_name("FILE")->check(CLI::ExistingFile);
    prog.after_parse([&] {
        if (opts.security.curve() && opts.security.allow_dir.empty()) throw common::usage_error("--curve needs --allow DIR");
        if (!opts.security.curve() && !opts.security.allow_dir.empty()) throw common::usage_error("--allow goes with --curve");
        if (opts.security.curve() && opts.security.plain()) throw common::usage_error("--curve and --passwords: pick one mechanism");
    });
}

namespace {

// One joined client, by routing id.
struct member {
    std::string handle;
    std::string user;  // who the ZAP handler let in ("" with NULL security)
    clock::time_point last_seen;
};

class server {
public:
    server(const server_options& opts, const common::console& out, zmq::socket_ref router, zmq::socket_ref pub)
        : opts_(opts), out_(out), router_(router), pub_(pub) {}

    // slide: chat-server-envelope
    // One command: [routing id][command frames...].
    void handle(std::vector<zmq::message_t>& msg)
    {
        const std::string id = msg[0].to_string();
        const common::frames frames(msg.data() + 1, msg.size() - 1);
    // end slide
        const std::string command = frames.empty() ? "" : common::printable(frames[0].to_string_view(), max_name_size);
        auto req = parse_request(frames, opts_.max_text);
        if (!req) return refuse(id, command, req.error());

        auto it = members_.find(id);
        if (req->command == word::join) return join(id, it, req->name, msg.back());
        if (it == members_.end()) return refuse(id, command, "not joined: send JOIN first");
        it->second.last_seen = clock::now();
        if (req->command == word::say) {
            zmq::send_multipart(pub_, make_message({req->name, word::msg, it->second.handle, req->text}));
            out_.info(it->second.handle, " -> ", req->name, ": ", req->text);
            ++said_;
            return answer(id, make_message({word::ok, word::say}));
        }
        if (req->command == word::who) {
            std::vector<std::string> handles;
            for (const auto& [h, _] : by_handle_) handles.push_back(h);
            return answer(id, make_message({word::ok, word::who}, handles));
        }
        if (req->command == word::leave) {
            answer(id, make_message({word::ok, word::leave}));
            return drop(it, word::left);
        }
        answer(id, make_message({word::ok, word::ping}));
    }

    // Everyone silent for longer than the expiry is gone.
    void expire(clock::time_point now)
    {
        // slide: chat-server-expire
        for (auto it = members_.begin(); it != members_.end();) {
            auto next = std::next(it);
            if (now - it->second.last_seen > opts_.expiry) drop(it, word::expired);
            it = next;
        }
        // end slide
    }

    std::uint64_t said() const { return said_; }

private:
    void join(const std::string& id, std::unordered_map<std::string, member>::iterator it, std::string_view handle,
              const zmq::message_t& last_frame)
    {
        const std::string wanted(handle);
        if (it != members_.end()) {  // already here: a repeated JOIN is harmless
            it->second.last_seen = clock::now();
            if (it->second.handle != wanted) return refuse(id, "JOIN", "already joined as '" + it->second.handle + "'; LEAVE first");
            return answer(id, make_message({word::ok, word::join, wanted}));
        }
        if (const auto holder = by_handle_.find(wanted); holder != by_handle_.end()) {
            // Taken; but its holder may have died (kill -9, a crash) and not expired yet.
            if (connected(holder->second)) return refuse(id, "JOIN", "handle '" + wanted + "' is taken");
            out_.info(wanted, "'s connection is closed: the handle is free again");
            drop(members_.find(holder->second), word::left);
        }

        // slide: chat-server-user
        // With PLAIN or CURVE, the ZAP handler's user id rides on every message.
        const char* user = zmq_msg_gets(last_frame.handle(), "User-Id");
        // end slide
        member m{wanted, user ? user : "", clock::now()};
        out_.info(wanted, " joined", m.user.empty() ? "" : " (authenticated as '" + m.user + "')");
        members_.emplace(id, std::move(m));
        by_handle_.emplace(wanted, id);
        answer(id, make_message({word::ok, word::join, wanted}));
        announce(word::joined, wanted);
    }

    void drop(std::unordered_map<std::string, member>::iterator it, std::string_view why)
    {
        const auto handle = it->second.handle;
        by_handle_.erase(handle);
        members_.erase(it);
        out_.info(handle, why == word::left ? " left" : " expired (silent for too long)");
        announce(why, handle);
    }

    void announce(std::string_view event, const std::string& handle)
    {
        auto msg = make_message({presence_topic, event, handle});
        zmq::send_multipart(pub_, msg);  // PUB never blocks: a slow subscriber loses, not us
    }

    // Is this client's connection still open? A ROUTER drops a peer's routing id
    // when its connection closes, and with ROUTER_MANDATORY says so on a send
    // (EHOSTUNREACH) instead of dropping the message. The probe is a one-frame
    // PING, which clients ignore. Asked only when someone wants a taken handle.
    bool connected(const std::string& id)
    {
        (void)router_.get(zmq::sockopt::events);  // take in the connections libzmq has seen close
        router_.set(zmq::sockopt::router_mandatory, true);
        bool there = true;  // a full queue (EAGAIN) is a peer that is there, but slow
        try {
            if (router_.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
                router_.send(zmq::buffer(word::ping), zmq::send_flags::dontwait);
        } catch (const zmq::error_t& e) {
            if (e.num() != EHOSTUNREACH) throw;
            there = false;
        }
        router_.set(zmq::sockopt::router_mandatory, false);
        return there;
    }

    // slide: chat-server-answer
    void answer(const std::string& id, message&& reply)
    {
        // ROUTER: the first frame picks the peer. A peer gone or full: dropped.
        router_.send(zmq::buffer(id), zmq::send_flags::sndmore);
        zmq::send_multipart(router_, reply);
    }
    // end slide

    void refuse(const std::string& id, const std::string& command, const std::string& why)
    {
        const auto it = members_.find(id);
        out_.warn("refused a command from ", it != members_.end() ? it->second.handle : "peer " + hex(id), ": ", why);
        answer(id, make_message({word::error, command.empty() ? "?" : command, why}));
    }

    static std::string hex(std::string_view id)
    {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned char c : id) { out += digits[c >> 4]; out += digits[c & 15]; }
        return out;
    }

    const server_options& opts_;
    const common::console& out_;
    zmq::socket_ref router_, pub_;
    std::unordered_map<std::string, member> members_;  // routing id -> member
    std::map<std::string, std::string> by_handle_;     // handle -> routing id, sorted for WHO
    std::uint64_t said_ = 0;
};

}  // namespace

void run_server(zmq::context_t& ctx, const server_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    std::unique_ptr<zap_handler> zap;
    if (opts.security.curve() || opts.security.plain()) zap = std::make_unique<zap_handler>(ctx, opts.security, out);

    zmq::socket_t router(ctx, zmq::socket_type::router);
    // A client that reconnects with its routing id takes over its old connection's place.
    router.set(zmq::sockopt::router_handover, true);
    zmq::socket_t pub(ctx, zmq::socket_type::xpub);
    pub.set(zmq::sockopt::xpub_welcome_msg, welcome);  // "your subscriptions are in": no slow joiners
    for (auto* s : {&router, &pub}) {
        secure_server_socket(*s, opts.security);
        // A bigger frame than this closes the connection before it is read into memory.
        s->set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(opts.max_text + frame_overhead));
    }
    // Handshakes that fail (a wrong mechanism, a bad key) are logged; so is everything with --monitor.
    // A client retrying with a bad key fails ten times a second: say it once per few seconds.
    auto handshake_log = [&](const char* label, bool print_events) {
        return [&, label, print_events, last_said = std::map<std::string, clock::time_point>()](
                   std::uint16_t event, std::uint32_t value, const std::string& endpoint) mutable {
            if (print_events) out.info(out.paint("monitor ", common::colour::grey), label, ": ", common::event_name(event), " ", endpoint);
            // Refused credentials are logged by the ZAP handler, which knows who it was.
            const auto why = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "" : handshake_failure(event, value);
            if (why.empty()) return;
            auto& last = last_said[why];
            if (clock::now() - last < repeat_quiet) return;
            last = clock::now();
            out.warn("refused a client on ", label, ": ", why);
        };
    };
    event_pipe router_events(ctx, router);
    auto on_router_event = handshake_log("router", opts.role.monitor);
    // The broadcast socket takes subscriptions from anyone: its monitor runs on
    // a thread of its own, which keeps the subscription budget even while a
    // flood keeps this loop busy, and logs peers cut off (common/subscriptions.hpp).
    const auto pub_monitor = common::limit_untrusted(ctx, pub, opts.max_text + frame_overhead, "pub", out,
                                                     opts.role.monitor, handshake_log("pub", false));
    const std::string mechanism = opts.security.curve() ? "CURVE" : opts.security.plain() ? "PLAIN" : "NULL";
    for (const auto& ep : opts.publish) out.info("broadcasts on ", common::bind(pub, ep));
    for (const auto& ep : opts.bind) out.info("commands on ", common::bind(router, ep), " (security: ", mechanism, ")");

    server chat(opts, out, router, pub);
    const auto check_every = std::clamp(opts.expiry / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    auto next_check = clock::now() + check_every;
    std::vector<zmq::message_t> msg;
    std::array<zmq::pollitem_t, 3> items{{{router.handle(), 0, ZMQ_POLLIN, 0}, {pub.handle(), 0, ZMQ_POLLIN, 0},
                                          router_events.poll_item()}};
    while (!stop.stop_requested() && (opts.count == 0 || chat.said() < opts.count)) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_check - clock::now());
        if (common::poll(items, stop, std::max(wait, 0ms))) {
            for (std::size_t i = 0; i < batch && common::recv(router, msg, stop, 0ms); ++i) chat.handle(msg);
            // Subscriptions: read so they do not pile up, a batch at a time (a flood must not starve the rest).
            for (std::size_t i = 0; i < batch && common::recv(pub, msg, stop, 0ms); ++i) {}
            router_events.drain(on_router_event);
        }
        if (clock::now() >= next_check) {
            chat.expire(clock::now());
            next_check = clock::now() + check_every;
        }
    }
    out.summary("stopped after ", chat.said(), chat.said() == 1 ? " message" : " messages");
}

}  // namespace chat

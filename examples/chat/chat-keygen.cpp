// chat-keygen: makes a CURVE key pair (zmq_curve_keypair) and writes it as
// two Z85 text files: NAME.key (secret, mode 0600) and NAME.pub (public).
#include <filesystem>

#include "chat.hpp"
#include "common/console.hpp"

int main(int argc, char** argv)
{
    common::program prog("chat-keygen", "Writes a CURVE key pair for chat-server or chat-client as NAME.key and NAME.pub (Example 3).");
    std::string name;
    std::filesystem::path dir = ".";
    bool force = false, quiet = false;
    prog.app().add_option("name", name, "Whose keys: the file names (e.g. server, alice)")->required()
        ->check([](const std::string& n) { return chat::valid_name(n) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    prog.app().add_option("-d,--dir", dir, "Folder to write them in");
    prog.app().add_flag("-f,--force", force, "Overwrite existing files");
    prog.app().add_flag("-q,--quiet", quiet, "Print nothing");
    return prog.run(argc, argv, [&](zmq::context_t&, std::stop_token) {
        if (!zmq_has("curve")) throw std::runtime_error("this libzmq was built without CURVE");
        const auto secret = dir / (name + ".key");
        if (!force && std::filesystem::exists(secret))
            throw std::runtime_error(secret.string() + " exists: pass --force to replace it");
        const auto keys = chat::generate_keypair();
        chat::write_keypair(dir, name, keys);
        if (!quiet)
            common::console("chat-keygen").summary("wrote ", secret.string(), " (secret) and ", (dir / (name + ".pub")).string(),
                                                   " (public: ", keys.public_key, ")");
    });
}

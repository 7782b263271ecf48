#!/usr/bin/env python3
"""Tests for check_dockerfile.py: the real Dockerfile passes, and each kind of drift is caught."""

import contextlib
import io
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_dockerfile  # noqa: E402

REPO = check_dockerfile.REPO
DOCKERFILE = (REPO / "Dockerfile").read_text()


RUNTIME_INSTALL = "librdkafka1=2.0.2-1 libcurl4=7.88.1-10+deb12u15 libpq5=15.18-0+deb12u1 ca-certificates=20250419~deb12u2"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def failures(dockerfile_text, swift_version=None, require_digests=False):
    report = check_dockerfile.Report()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        check_dockerfile.check_static(report, dockerfile_text, REPO, swift_version, require_digests)
    return [line for line in output.getvalue().splitlines() if line.startswith("FAIL")]


def replaced(old, new):
    assert old in DOCKERFILE, f"test fixture out of date: {old!r} is not in the Dockerfile"
    return DOCKERFILE.replace(old, new)


class CheckDockerfileTests(unittest.TestCase):
    def assertCaught(self, dockerfile_text, expected_fragment, swift_version=None, require_digests=False):
        found = failures(dockerfile_text, swift_version, require_digests)
        self.assertTrue(any(expected_fragment in line for line in found),
                        f"expected a failure mentioning {expected_fragment!r}, got {found}")

    def test_project_dockerfile_passes(self):
        self.assertEqual(failures(DOCKERFILE), [])

    def test_non_bookworm_build_image(self):
        self.assertCaught(replaced("swift:6.3-bookworm", "swift:6.3-jammy"), "Debian 12")

    def test_build_image_of_another_swift_version(self):
        self.assertCaught(DOCKERFILE, "project's toolchain", swift_version=(5, 10))

    def test_run_stage_not_slim_bookworm(self):
        self.assertCaught(replaced("FROM debian:bookworm-slim", "FROM debian:trixie-slim"), "bookworm-slim")

    def test_extra_runtime_package(self):
        self.assertCaught(replaced(RUNTIME_INSTALL, RUNTIME_INSTALL + " curl=7.88.1-10+deb12u15"),
                          "run stage installs exactly")

    def test_unpinned_package(self):
        self.assertCaught(replaced("libcurl4=7.88.1-10+deb12u15 libpq5", "libcurl4 libpq5"), "run stage pins every apt package")
        self.assertCaught(replaced("pkg-config=1.8.1-1", "pkg-config"), "build stage pins every apt package")

    def test_recommends_and_lists_kept(self):
        text = replaced(RUNTIME_INSTALL + " \\\n    && rm -rf /var/lib/apt/lists/* \\\n", RUNTIME_INSTALL + " \\\n")
        self.assertCaught(text, "removes /var/lib/apt/lists")

    def test_digest_pinned_bases_pass_and_malformed_digests_fail(self):
        pinned = replaced("FROM swift:6.3-bookworm AS build", f"FROM swift:6.3-bookworm@{DIGEST} AS build")
        pinned = pinned.replace("FROM debian:bookworm-slim", f"FROM debian:bookworm-slim@{DIGEST}")
        self.assertEqual(failures(pinned, require_digests=True), [])
        self.assertCaught(pinned.replace(DIGEST, "sha256:1234", 1), "digest is sha256:<64 hex digits>")

    def test_missing_digest_fails_when_required(self):
        self.assertCaught(DOCKERFILE, "base image is pinned by digest", require_digests=True)

    def test_debug_build(self):
        self.assertCaught(replaced("swift build -c release --static-swift-stdlib -Xlinker --strip-debug --product bootstrap",
                                   "swift build --static-swift-stdlib -Xlinker --strip-debug --product bootstrap"),
                          "release, static-stdlib")

    def test_dynamic_swift_stdlib(self):
        self.assertCaught(replaced("swift build -c release --static-swift-stdlib -Xlinker --strip-debug --product lambda-emulator",
                                   "swift build -c release -Xlinker --strip-debug --product lambda-emulator"),
                          "release, static-stdlib")

    def test_debug_info_shipped(self):
        self.assertCaught(replaced("--static-swift-stdlib -Xlinker --strip-debug --product bootstrap",
                                   "--static-swift-stdlib --product bootstrap"), "without debug info")

    def test_unknown_product(self):
        self.assertCaught(replaced("--product bootstrap", "--product boot"), "Package.swift product")

    def test_copy_from_wrong_output_directory(self):
        self.assertCaught(replaced("/src/.build/release/bootstrap", "/src/.build/debug/bootstrap"),
                          "built product in the build output")

    def test_root_user(self):
        self.assertCaught(replaced("USER lambda", "USER root"), "non-root USER")

    def test_user_never_created(self):
        self.assertCaught(replaced("USER lambda", "USER nobody2"), "creates the user nobody2")

    def test_shell_form_entrypoint(self):
        self.assertCaught(replaced('ENTRYPOINT ["/var/runtime/bootstrap"]', "ENTRYPOINT /var/runtime/bootstrap"),
                          "ENTRYPOINT")

    def test_emulator_path_mismatch(self):
        self.assertCaught(replaced("ENV LAMBDA_EMULATOR_PATH=/var/runtime/lambda-emulator",
                                   "ENV LAMBDA_EMULATOR_PATH=/opt/lambda-emulator"), "names the copied emulator")

    def test_exposed_port_mismatch(self):
        self.assertCaught(replaced("EXPOSE 8080", "EXPOSE 9000"), "EXPOSEs the port")

    def test_unterminated_continuation(self):
        self.assertCaught(DOCKERFILE.rstrip() + " \\\n", "parses")


class SharedLibraryTests(unittest.TestCase):
    def test_parses_resolved_missing_and_loader_lines(self):
        sample = ("\tlinux-vdso.so.1 (0x00007ffd)\n"
                  "\tlibrdkafka.so.1 => /lib/x86_64-linux-gnu/librdkafka.so.1 (0x00007f1)\n"
                  "\tlibmissing.so.2 => not found\n"
                  "\t/lib64/ld-linux-x86-64.so.2 (0x00007f2)\n")
        libraries = check_dockerfile.parse_ldd(sample)
        self.assertEqual(libraries, {
            "librdkafka.so.1": "/lib/x86_64-linux-gnu/librdkafka.so.1",
            "libmissing.so.2": None,
            "ld-linux-x86-64.so.2": "/lib64/ld-linux-x86-64.so.2",
        })

    def test_needed_libraries_of_a_system_binary(self):
        libraries = check_dockerfile.needed_libraries("/usr/bin/dpkg")
        self.assertIn("libc.so.6", libraries)
        self.assertTrue(all(path for path in libraries.values()))

    def library_failures(self, binary):
        report = check_dockerfile.Report()
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            check_dockerfile.check_libraries(report, binary)
        return [line for line in output.getvalue().splitlines() if line.startswith("FAIL")]

    def test_binary_using_only_run_stage_libraries_passes(self):
        self.assertEqual(self.library_failures("/usr/bin/curl"), [])  # libcurl4 and its dependencies

    def test_binary_needing_a_library_the_image_lacks_fails(self):
        found = self.library_failures("/usr/bin/pkg-config")  # pkgconf's libpkgconf3 is not in the image
        self.assertTrue(any("libpkgconf" in line for line in found), found)

    def test_owner_of_a_merged_usr_path(self):
        path = "/usr/lib/x86_64-linux-gnu/libc.so.6"  # dpkg records it under /lib
        self.assertIn("libc6", check_dockerfile.owners_by_library([path])[path])

    def test_unpackaged_file_has_no_owner(self):
        path = str(check_dockerfile.REPO / "Package.swift")
        self.assertEqual(check_dockerfile.owners_by_library([path]), {path: set()})


if __name__ == "__main__":
    unittest.main(verbosity=2)

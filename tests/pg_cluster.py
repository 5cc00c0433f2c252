#!/usr/bin/env python3
"""pg_cluster.py — a throw-away PostgreSQL cluster for the tests (python3 stdlib only).

    pg_cluster.py start DIR   make a fresh cluster, start it, create database `acd`,
                              write its libpq URL to DIR/url
    pg_cluster.py stop DIR    stop it and remove its data

initdb and postgres refuse to run as root, so when run as root the cluster belongs to the
`postgres` user (runuser). It listens on a Unix socket only (listen_addresses=''), so the port
is just part of the socket's name and never clashes with another cluster. fsync stays on: the
tests measure what users get.

The data directory is DIR/data when the postgres user can reach DIR; otherwise (a build tree
under /root, mode 0700) a private directory under /tmp, recorded in DIR/datadir, so nothing of
the user's own directories has to be opened up. A cluster left running by an interrupted run
is stopped and replaced by `start`.
"""
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

PORT = 5432
SOCKET_MAX = 100  # sun_path is 108 bytes; the socket is SOCKDIR/.s.PGSQL.5432


def bindir():
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        sys.exit("pg_cluster: no PostgreSQL server (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def as_owner(argv, **kw):
    """Runs argv as the cluster's owner: postgres when we are root, else ourselves."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    return subprocess.run(argv, **kw)


def owner_can_enter(path):
    """True when the owner can reach path (execute permission on every directory on the way)."""
    if os.geteuid() != 0:
        return True
    return as_owner(["test", "-x", path], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode == 0


def chown_owner(path):
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def datadir_of(d):
    return read(os.path.join(d, "datadir")) or os.path.join(d, "data")


def stop(d):
    """Stops the cluster of DIR if one runs and removes its data; quiet when there is none."""
    data = datadir_of(d)
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        as_owner([os.path.join(bindir(), "pg_ctl"), "-D", data, "-m", "immediate", "-w",
                  "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sockdir = read(os.path.join(d, "sockdir"))
    for path in (data, sockdir):
        if path and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
    for name in ("url", "datadir", "sockdir"):
        try:
            os.unlink(os.path.join(d, name))
        except FileNotFoundError:
            pass


def private_dir(d, name):
    """DIR/name for the owner, or a fresh /tmp directory when DIR is out of the owner's reach
    or its path is too long for a Unix socket."""
    path = os.path.join(d, name)
    if owner_can_enter(d) and len(path) + 16 < SOCKET_MAX:
        os.mkdir(path, 0o700)
        return path
    return tempfile.mkdtemp(prefix="acd-pg-" + name + "-")


def start(d):
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    stop(d)
    bins = bindir()
    data = private_dir(d, "data")
    sock = private_dir(d, "sock")
    with open(os.path.join(d, "datadir"), "w") as f:
        f.write(data + "\n")
    with open(os.path.join(d, "sockdir"), "w") as f:
        f.write(sock + "\n")
    for path in (data, sock):
        chown_owner(path)
        os.chmod(path, 0o700)
    # root reaches the socket whatever its mode; a non-root test user needs 0755.
    os.chmod(sock, 0o755)
    run_checked(as_owner([os.path.join(bins, "initdb"), "-D", data, "-U", "postgres",
                          "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                         capture_output=True, text=True), "initdb")
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\n# pg_cluster.py: a private test cluster\n"
                "listen_addresses = ''\n"
                f"port = {PORT}\n"
                f"unix_socket_directories = '{sock}'\n"
                "fsync = on\n"
                "max_connections = 200\n"
                "shared_buffers = 32MB\n"
                "log_min_messages = warning\n"
                # acd purge needs old WAL segments unlinked, not renamed for reuse with the
                # purged rows still in them (decision 0015).
                "wal_recycle = off\n")
    log = os.path.join(data, "server.log")
    run_checked(as_owner([os.path.join(bins, "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60",
                          "start"], capture_output=True, text=True), "pg_ctl start", log)
    run_checked(as_owner([os.path.join(bins, "createdb"), "-h", sock, "-p", str(PORT),
                          "-U", "postgres", "acd"], capture_output=True, text=True), "createdb")
    url = f"postgresql:///acd?host={sock}&port={PORT}&user=postgres"
    with open(os.path.join(d, "url"), "w") as f:
        f.write(url + "\n")
    print(f"pg_cluster: started {url} (data {data})")


def run_checked(proc, what, log=None):
    if proc.returncode != 0:
        sys.stderr.write(f"pg_cluster: {what} failed ({proc.returncode})\n{proc.stdout}{proc.stderr}")
        if log and os.path.exists(log):
            sys.stderr.write(read(log) or "")
        sys.exit(1)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg_cluster.py start|stop DIR")
    if sys.argv[1] == "start":
        start(sys.argv[2])
    else:
        stop(os.path.abspath(sys.argv[2]))
        print(f"pg_cluster: stopped {sys.argv[2]}")


if __name__ == "__main__":
    main()

// The busybox (and sash) cases test/rv64-busybox.test.ts compares with
// qemu-riscv64. Every step is one process: busybox's sh forks for anything
// but its builtins, and processes are not there yet, so a script is either
// builtins only or split into steps. Setup: text.txt, nums.txt, tree/{a.txt,
// b.bin,sub/c.txt}, mixed/{dir,file,hard,run.sh,link,dangling,fifo} (busybox.ts).
import { BASH, type Case, FIXTURES, SASH } from './busybox.js';

const sh = (script: string): string[] => ['sh', '-c', script];
const bash = (script: string): string[] => [BASH, '-c', script];
const F = FIXTURES;

export const CASES: Case[] = [
  // directories
  { name: 'nproc (the host\'s CPUs, as qemu passes them)', steps: [['nproc']] },
  { name: 'ls', steps: [['ls'], ['ls', '-1', 'tree'], ['ls', '-a', 'tree']] },
  { name: 'ls -la of a directory', steps: [['ls', '-la', 'tree'], ['ls', '-ln', 'tree/sub']] },
  { name: 'ls -la of a directory with one entry of each kind', steps: [['ls', '-la', 'mixed'], ['ls', '-laL', 'mixed'], ['ls', '-1F', 'mixed'], ['ls', '-ld', 'mixed/link', 'mixed/dir']] },
  { name: 'ls sorted by size and time, reversed, -A', steps: [['ls', '-lS', 'mixed'], ['ls', '-ltr', 'tree'], ['ls', '-A', 'mixed']] },
  { name: 'stat of each kind', steps: [['stat', '-c', '%n|%F|%a|%h|%s', 'mixed/dir', 'mixed/file', 'mixed/hard', 'mixed/link', 'mixed/dangling', 'mixed/fifo', 'mixed/run.sh'], ['stat', '-L', '-c', '%n|%F', 'mixed/link']] },
  { name: 'find of each kind', steps: [['find', 'mixed', '-type', 'l'], ['find', 'mixed', '-type', 'p'], ['find', 'mixed', '-links', '2', '-type', 'f'], ['find', '-L', 'mixed', '-type', 'f']] },
  { name: 'ls -R, -F, -i absent, -s', steps: [['ls', '-R'], ['ls', '-F', 'tree'], ['ls', '-s', 'tree/sub']] },
  { name: 'ls of host fixtures (read-only mount)', steps: [['ls', '-l', F], ['ls', '-ld', F]] },
  { name: 'ls of a missing name', steps: [['ls', 'nope'], ['ls', '-d', 'tree', 'nope']] },
  { name: 'mkdir -p, rmdir', steps: [['mkdir', '-p', 'a/b/c'], ['ls', '-R', 'a'], ['rmdir', 'a/b/c'], ['rmdir', 'a'], ['ls', 'a']] },
  { name: 'mkdir -m, EEXIST', steps: [['mkdir', '-m', '700', 'private'], ['mkdir', 'tree'], ['stat', '-c', '%n %a %F', 'private']] },
  { name: 'rmdir of a non-empty directory', steps: [['rmdir', 'tree'], ['rm', 'tree'], ['rm', '-r', 'tree'], ['ls']] },
  { name: 'rm -rf, rm -f missing', steps: [['rm', '-rf', 'tree/sub'], ['rm', '-f', 'nothing'], ['rm', 'nothing'], ['ls', '-R']] },
  { name: 'mv a file, mv into a directory', steps: [['mv', 'text.txt', 'moved.txt'], ['mv', 'nums.txt', 'tree'], ['ls', '-R']] },
  { name: 'mv a directory, mv a directory into itself', steps: [['mv', 'tree/sub', 'sub2'], ['mv', 'tree', 'tree/x'], ['ls', '-R']] },
  { name: 'mv -n (no clobber), mv over a file', steps: [['mv', '-n', 'text.txt', 'nums.txt'], ['cat', 'nums.txt'], ['mv', '-f', 'text.txt', 'nums.txt'], ['cat', 'nums.txt']] },
  { name: 'ln -s, readlink, dangling link', steps: [['ln', '-s', 'text.txt', 'link'], ['readlink', 'link'], ['cat', 'link'], ['ln', '-s', 'gone', 'dangling'], ['cat', 'dangling'], ['readlink', '-f', 'link'], ['ls', '-F']] },
  { name: 'symbolic link loop', steps: [['ln', '-s', 'l2', 'l1'], ['ln', '-s', 'l1', 'l2'], ['cat', 'l1']] },
  { name: 'ln (hard link), link counts', steps: [['ln', 'text.txt', 'hard'], ['stat', '-c', '%h %s %F', 'text.txt', 'hard'], ['link', 'nums.txt', 'hard2'], ['unlink', 'hard'], ['stat', '-c', '%h', 'text.txt']] },
  { name: 'ln -s into a directory, ls -l of links', steps: [['ln', '-s', '../text.txt', 'tree/t'], ['cat', 'tree/t'], ['realpath', 'tree/t'], ['stat', '-c', '%N', 'tree/t']] },
  { name: 'touch -d, ls -l', steps: [['touch', '-d', '2021-05-06 07:08:09', 'new', 'text.txt'], ['ls', '-l', 'new', 'text.txt'], ['stat', '-c', '%y %s', 'new']] },
  { name: 'touch -r and -c', steps: [['touch', '-c', 'absent'], ['touch', '-r', 'text.txt', 'copy-time'], ['ls', '-l', 'copy-time']] },
  { name: 'truncate', steps: [['truncate', '-s', '3', 'text.txt'], ['cat', 'text.txt'], ['truncate', '-s', '70000', 'big'], ['wc', '-c', 'big'], ['truncate', '-s', '+5', 'nums.txt'], ['od', '-c', 'nums.txt']] },
  { name: 'chmod, stat -c %a %A', steps: [['chmod', '600', 'text.txt'], ['chmod', 'u+x,g+w', 'nums.txt'], ['stat', '-c', '%a %A %n', 'text.txt', 'nums.txt'], ['chmod', '-R', 'go-rwx', 'tree'], ['ls', '-lR', 'tree']] },
  { name: 'chown to the same owner, chgrp', steps: [['chown', '0:0', 'text.txt'], ['chgrp', 'root', 'nums.txt'], ['stat', '-c', '%u %g', 'text.txt', 'nums.txt']] },
  { name: 'umask: shell builtin, then creation modes honour it', steps: [sh('umask; umask 027; umask; : > made; mkdir madedir'), ['stat', '-c', '%a %n', 'made', 'madedir']] },
  { name: 'mkfifo, mknod p', steps: [['mkfifo', '-m', '640', 'fifo'], ['mknod', 'fifo2', 'p'], ['stat', '-c', '%F %a', 'fifo', 'fifo2']] },
  { name: 'cp, cp -r, cp -a keeps times', steps: [['cp', 'text.txt', 'copy.txt'], ['cp', '-r', 'tree', 'tree2'], ['cp', '-a', 'tree', 'tree3'], ['ls', '-lR', 'tree3'], ['cmp', 'text.txt', 'copy.txt']] },
  { name: 'install -m, -d', steps: [['install', '-m', '751', 'text.txt', 'inst'], ['install', '-d', 'd1/d2'], ['stat', '-c', '%a %F %n', 'inst', 'd1/d2']] },
  { name: 'find', steps: [['find', 'tree'], ['find', '.', '-name', '*.txt'], ['find', 'tree', '-type', 'd'], ['find', 'tree', '-size', '+1k']] },
  { name: 'du, stat -f (statfs)', steps: [['du', '-s', 'tree'], ['du', '-a', 'tree/sub'], ['stat', '-f', '-c', '%T %l', '.']] },
  { name: 'stat of files, directories, devices', steps: [['stat', '-c', '%n %s %F %a %h', 'text.txt', 'tree', '/dev/null', '/dev/zero', '/dev/urandom']] },
  { name: 'realpath, basename, dirname, pwd', steps: [['realpath', 'tree/sub/../a.txt'], ['basename', '/a/b/c.txt', '.txt'], ['dirname', '/a/b/c.txt'], ['pwd']] },
  { name: 'fallocate, sync', steps: [['fallocate', '-l', '8192', 'fa'], ['wc', '-c', 'fa'], ['sync']] },
  { name: 'tar of a directory, listed and extracted', steps: [['tar', 'cf', 't.tar', 'tree'], ['tar', 'tvf', 't.tar'], ['mkdir', 'x'], ['tar', 'xf', 't.tar', '-C', 'x'], ['find', 'x'], ['ls', '-l', 'x/tree/a.txt', 'x/tree/b.bin', 'x/tree/sub/c.txt']] },
  { name: 'gzip, gunzip, zcat, bzip2, xz', steps: [['gzip', '-k', 'text.txt'], ['gunzip', '-c', 'text.txt.gz'], ['gzip', '-d', '-f', 'text.txt.gz'], ['bzip2', 'nums.txt'], ['bunzip2', '-c', 'nums.txt.bz2'], ['xz', '-k', 'text.txt'], ['unxz', '-c', 'text.txt.xz']] },
  // devices and /proc
  { name: '/dev/null and /dev/zero', steps: [['cat', '/dev/null'], ['dd', 'if=/dev/zero', 'of=zeros', 'bs=1024', 'count=4'], ['wc', '-c', 'zeros'], ['od', '-An', '-N8', '-tx1', '/dev/zero'], sh('echo gone > /dev/null; echo $?')] },
  { name: '/dev/urandom and /dev/random', steps: [['dd', 'if=/dev/urandom', 'of=r1', 'bs=16', 'count=2'], ['dd', 'if=/dev/random', 'of=r2', 'bs=8', 'count=1'], ['stat', '-c', '%s', 'r1', 'r2'], ['rm', 'r1', 'r2']] },
  { name: '/dev/stdin, /proc/self/exe', stdin: 'from stdin\n', steps: [['cat', '/dev/stdin'], ['readlink', '/proc/self/exe'], ['head', '-c', '4', '/proc/self/exe'], ['cat', '-']] },
  { name: 'tty with a pipe on stdin', steps: [['tty'], sh('test -t 0; echo $?; test -t 5; echo $?')] },
  // reading host files (read-only mount), and writing to it
  { name: 'cat, wc, head, tail of host files', steps: [['cat', `${F}/hello.c`], ['wc', `${F}/hello.c`, `${F}/compute.c`], ['head', '-n', '3', `${F}/compute.c`], ['tail', '-n', '2', `${F}/malloc.c`]] },
  { name: 'sha256sum, md5sum, sha1sum, sha512sum of host files', steps: [['sha256sum', `${F}/hello.c`, `${F}/fileio.c`], ['md5sum', `${F}/argv.c`], ['sha1sum', `${F}/enosys.c`], ['sha512sum', 'text.txt']] },
  { name: 'grep over host files', steps: [['grep', '-n', 'printf', `${F}/hello.c`], ['grep', '-c', 'include', `${F}/compute.c`, `${F}/fileio.c`], ['grep', '-r', '-l', 'main', F], ['grep', 'nothing-matches-this', `${F}/hello.c`]] },
  { name: '/etc through a read-only mount: id, whoami, groups', steps: [['id'], ['whoami'], ['groups'], ['id', '-G'], ['cut', '-d:', '-f1,3', '/etc/group']] },
  // text tools over the work directory
  { name: 'sort, uniq, tac, rev, nl, cut', steps: [['sort', 'text.txt'], ['sort', '-n', 'nums.txt'], ['sort', '-u', '-r', 'text.txt'], ['uniq', '-c', 'text.txt'], ['tac', 'text.txt'], ['rev', 'text.txt'], ['nl', 'text.txt'], ['cut', '-c', '1-3', 'text.txt']] },
  { name: 'sed, awk, tr, expand, fold', stdin: 'one two\tthree\n', steps: [['sed', '-n', '2,3p', 'text.txt'], ['sed', 's/a/A/g', 'text.txt'], ['awk', '{ n += $1 } END { print n, NR }', 'nums.txt'], ['tr', 'a-z', 'A-Z'], ['expand'], ['fold', '-w', '3', 'nums.txt']] },
  { name: 'sed -i (in place), tee', stdin: 'teed\n', steps: [['sed', '-i', 's/apple/APPLE/', 'text.txt'], ['cat', 'text.txt'], ['tee', 'teed.txt'], ['cat', 'teed.txt']] },
  { name: 'od, hexdump, xxd, base64, crc32', steps: [['od', '-c', 'tree/b.bin'], ['hexdump', '-C', 'tree/b.bin'], ['xxd', 'nums.txt'], ['base64', 'nums.txt'], ['crc32', 'text.txt']] },
  { name: 'cmp and diff', steps: [['cmp', 'text.txt', 'nums.txt'], ['diff', 'text.txt', 'nums.txt'], ['diff', 'text.txt', 'text.txt']] },
  { name: 'expr, seq, factor, dc, bc', stdin: '2^20\n', steps: [['expr', '3', '+', '4'], ['seq', '1', '3', '10'], ['factor', '360'], ['dc', '-e', '2 3 + p'], ['bc']] },
  { name: 'date and cal with fixed times', steps: [['date', '-u', '-d', '@0'], ['date', '-u', '-d', '2020-02-29 12:00', '+%s %A'], ['cal', '2', '2020']] },
  { name: 'ids, capabilities, priorities: setpriv --dump, ionice, renice', steps: [['setpriv', '--dump'], ['ionice'], ['renice', '-n', '3', '-p', '0'], ['id', '-u'], ['id', '-g', '-n']] },
  { name: 'the environment, uname -m, hostname', steps: [sh('echo "$RV64_GREETING|$RV64_EMPTY|$LANG"'), ['uname', '-m'], ['hostname']] },
  { name: 'sleep 0.2, usleep, true, false', steps: [['sleep', '0.2'], ['usleep', '1000'], ['true'], ['false']] },
  // the shell: builtins only
  { name: 'sh: arithmetic, loops, test', steps: [sh('i=0; s=0; while [ $i -lt 10 ]; do i=$((i+1)); s=$((s+i*i)); done; echo $s; for w in a b c; do printf "%s." $w; done; echo; [ 3 -gt 2 ] && echo yes; test -z "" && echo empty')] },
  { name: 'sh: read from a pipe on stdin', stdin: 'first line\nsecond\n', steps: [sh('read a; read b; echo "[$a] [$b]"; read c || echo "eof $?"')] },
  { name: 'sh: read from a file, redirections', steps: [sh('read x < text.txt; echo "x=$x"; echo one > out; echo two >> out; while read l; do echo "<$l>"; done < out; exec 3> fd3; echo via3 >&3; exec 3>&-; read y < fd3; echo $y')] },
  { name: 'sh: here-document (small: a pipe, no fork)', steps: [sh('read a b <<EOF\nhello there\nEOF\necho "$b $a"')] },
  { name: 'sh: functions, case, parameters', steps: [sh('f() { echo "f:$#:$1"; return 3; }; f x y; echo $?; set -- p q r; shift; echo "$@"; v=abc.tar.gz; echo ${v%%.*} ${v#*.} ${#v}; case $v in *.gz) echo gz;; *) echo other;; esac')] },
  { name: 'sh: cd, pwd, test -d -f -L -e', steps: [['ln', '-s', 'tree', 'tl'], sh('cd tree/sub; pwd; cd ../..; pwd; cd tl; pwd; pwd -P; cd /; pwd; cd /nonexistent; echo $?'), sh('[ -d tree ] && [ -f text.txt ] && [ -L tl ] && [ ! -e nope ] && echo tests-ok')] },
  { name: 'sh: kill -0, trap on EXIT, getopts, printf', steps: [sh('kill -0 $$ && echo alive; trap "echo bye" EXIT; OPTIND=1; while getopts ab: o -a -b val; do echo "opt $o $OPTARG"; done; printf "%05d|%-4s|%x\\n" 42 ab 255')] },
  { name: 'sh: umask -S, type, command -v', steps: [sh('umask -S; type cd; command -v echo; echo done')] },
  { name: 'sh: errors', steps: [sh('cd nope'), sh('echo ${x?unset}'), sh('exit 7')] },
  // sash: its built-in commands run without forking (-ls of the work directory is left out: its '..' is the
  // shared temporary directory, whose time changes as other tests run)
  { name: 'sash built-ins', steps: [[SASH, '-c', '-ls -l tree'], [SASH, '-c', '-mkdir sd'], [SASH, '-c', '-mv text.txt sd/t'], [SASH, '-c', '-rm nums.txt'], ['ls', '-R']] },
  // bash-static: builtins, here-strings (a pipe), [[ ]], arrays; $( ) and pipelines fork
  { name: 'bash: arrays, [[ ]], printf -v, case conversion', steps: [bash('x=(a b c); echo ${#x[@]} ${x[1]} ${x[@]:1}; declare -A m=([k]=v [j]=w); echo ${m[k]}${m[j]}; [[ abc == a* && ! -e nope ]] && echo glob; printf -v v "%03d|%q" 7 "a b"; echo "$v"; s=hello; echo ${s^^} ${s:1:3} ${s/l/L}; echo ${BASH_VERSION%%(*}')] },
  { name: 'bash: here-string, read -a, mapfile from a host file', steps: [bash(`read -r l <<< "here string"; echo "$l"; read -ra w <<< "p q r"; echo \${w[2]}; mapfile -t lines < ${F}/hello.c; echo \${#lines[@]}; echo "\${lines[0]}"`)] },
  { name: 'bash: read from a pipe, read -t, while read over a file', stdin: 'one\ntwo\n', steps: [bash('read a; read -t 1 b; echo "$a $b $?"; read -t 0.1 c; echo "eof $?"; n=0; while IFS= read -r line; do n=$((n+1)); done < text.txt; echo lines $n')] },
  { name: 'bash: redirections and group commands into files', steps: [bash('{ echo a; echo b; } > g.txt; echo c >> g.txt; exec 4< g.txt; read -u 4 first; echo "$first"; exec 4<&-; printf "%s\n" x y > p.txt; : > empty; umask 077; echo s > secret'), ['stat', '-c', '%n %s %a', 'g.txt', 'p.txt', 'empty', 'secret']] },
  { name: 'bash: cd, pwd -P through a link, dirs, test operators', steps: [['ln', '-s', 'tree/sub', 'sl'], bash('cd sl; pwd; pwd -P; cd -; [[ -d tree && -f text.txt && -L sl && -s nums.txt && text.txt -nt /nonexistent ]] && echo ok; type -t cd')] },
  { name: 'bash: errors and exit codes', steps: [bash('cd /nope; echo $?'), bash('set -e; false; echo never'), bash('exit 42'), bash('echo ${undefined:?is unset}')] },
];

/** Cases run in the emulator only, each with its expected transcript and why qemu cannot be the oracle. */
export const KNOWN: { name: string; steps: string[][]; expected: string; why: string }[] = [
  { name: 'ulimit -n', steps: [sh('ulimit -n')], expected: "$ sh -c ulimit -n\n1024\nexit 0\n", why: 'the descriptor table has 1024 slots; qemu passes the host\'s limit' },
  {
    name: 'writing into a read-only mount: EROFS',
    steps: [['touch', `${F}/new-file`], ['mkdir', `${F}/newdir`], ['rm', `${F}/hello.c`], ['mv', `${F}/hello.c`, `${F}/h.c`], ['ln', '-s', 'x', `${F}/link`], ['chmod', '777', `${F}/hello.c`]],
    expected: [
      [`touch ${F}/new-file`, `touch: ${F}/new-file`], [`mkdir ${F}/newdir`, `mkdir: can't create directory '${F}/newdir'`],
      [`rm ${F}/hello.c`, `rm: can't remove '${F}/hello.c'`], [`mv ${F}/hello.c ${F}/h.c`, `mv: can't rename '${F}/hello.c'`],
      [`ln -s x ${F}/link`, `ln: ${F}/link`], [`chmod 777 ${F}/hello.c`, `chmod: ${F}/hello.c`],
    ].map(([cmd, msg]) => `$ ${cmd}\n2> ${msg}: Read-only file system\nexit 1\n`).join(''),
    why: 'qemu-user has no read-only mounts (it would change the fixtures)',
  },
];

/**
 * What busybox cannot do here yet because it forks (processes are another
 * helper's work): each fails with `fork: Function not implemented`.
 */
export const NEEDS_PROCESSES: string[][] = [
  sh('echo a | wc -c'), sh('x=$(echo sub); echo $x'), sh('mkdir d; ls'), sh('(cd /; pwd)'), sh('cat <<EOF\nlong here-document\nEOF'),
  ['zcat', 'text.txt.gz'], ['bzcat', 'nums.txt.bz2'], ['xzcat', 'text.txt.xz'], ['xargs', 'echo'], ['timeout', '1', 'true'], ['time', 'true'],
  ['find', '.', '-exec', 'echo', '{}', ';'], ['env', 'true'], ['nice', 'true'], ['watch', 'true'], ['sash', '-c', 'ls'],
];

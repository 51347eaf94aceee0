/**
 * The Python prelude the sandbox runs with `python3 -I`. It reads the user's code,
 * then installs an audit hook (PEP 578; a hook cannot be removed once added) that
 * refuses: opening or listing files outside the work folder (reads of the Python
 * installation itself stay allowed so imports work), any socket or urllib use, and
 * starting processes or loading native code through ctypes. It then runs the code
 * like a notebook cell: the value of a final expression is printed after a marker.
 * Audit hooks are a guard rail against accidents and casual misuse, not a security
 * boundary against a determined attacker — the ulimits and the kill timer are the
 * hard limits (see python-interpreter.ts).
 */
export const resultMarker = '\u0000chainlm-result\u0000';

export const pythonPrelude = String.raw`
import ast, os, sys
_work = os.path.realpath(os.getcwd())
with open(os.path.join(_work, 'main.py'), encoding='utf-8') as _f:
    _source = _f.read()
_readable = [os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}]
_devices = {'/dev/null', '/dev/urandom', '/dev/random'}

class SandboxViolation(PermissionError):
    pass

def _inside(path, roots):
    return any(path == root or path.startswith(root + os.sep) for root in roots)

def _resolve(path):
    if isinstance(path, int):
        return None
    return os.path.realpath(os.fsdecode(path))

def _check_path(path, write):
    resolved = _resolve(path)
    if resolved is None or resolved in _devices or _inside(resolved, [_work]):
        return
    if not write and _inside(resolved, _readable):
        return
    raise SandboxViolation('sandbox: access to ' + resolved + ' is blocked; only files in the sandbox work folder may be used')

_write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_path_events = {'os.listdir', 'os.scandir', 'os.remove', 'os.rmdir', 'os.rename', 'os.mkdir', 'os.chmod', 'os.chown', 'os.link', 'os.symlink', 'os.truncate', 'os.utime', 'shutil.rmtree', 'shutil.copyfile', 'shutil.move'}
_blocked_prefixes = ('socket.', 'urllib.', 'http.', 'ftplib.', 'smtplib.', 'telnetlib.', 'poplib.', 'imaplib.', 'nntplib.')
_blocked_events = {'subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.fork', 'os.forkpty', 'pty.spawn', 'ctypes.dlopen', 'ctypes.dlsym', 'os.kill', 'os.killpg'}

def _hook(event, args):
    if event == 'open':
        mode = args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 else 0
        write = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or bool((flags or 0) & _write_flags)
        _check_path(args[0], write)
    elif event in _path_events:
        _check_path(args[0], event not in ('os.listdir', 'os.scandir'))
    elif event.startswith(_blocked_prefixes):
        raise SandboxViolation('sandbox: network access is blocked (' + event + ')')
    elif event in _blocked_events:
        raise SandboxViolation('sandbox: ' + event + ' is blocked (no processes, signals or native code)')

_tree = ast.parse(_source, filename='main.py')
_last = None
if _tree.body and isinstance(_tree.body[-1], ast.Expr):
    _last = ast.Expression(_tree.body.pop().value)
_globals = {'__name__': '__main__', '__builtins__': __builtins__}
sys.addaudithook(_hook)
del _f
exec(compile(_tree, 'main.py', 'exec'), _globals)
if _last is not None:
    _value = eval(compile(_last, 'main.py', 'eval'), _globals)
    if _value is not None:
        sys.stdout.write('\x00chainlm-result\x00' + repr(_value))
`;

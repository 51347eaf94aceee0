/**
 * The notebook-cell runner the python tool runs as main.py inside the sandbox: it runs
 * the user's code (copied in as cell.py) like a notebook cell and prints the value of a
 * final expression after a marker. It is not a guard — the jail of @chainlm/sandbox is
 * the boundary (no host files, no network, no processes, rlimits).
 */
export const resultMarker = '\u0000chainlm-result\u0000';

export const pythonPrelude = String.raw`
import ast, sys
with open('cell.py', encoding='utf-8') as handle:
    source = handle.read()
tree = ast.parse(source, filename='cell.py')
last = None
if tree.body and isinstance(tree.body[-1], ast.Expr):
    last = ast.Expression(tree.body.pop().value)
scope = {'__name__': '__main__', '__builtins__': __builtins__}
del handle, source
exec(compile(tree, 'cell.py', 'exec'), scope)
if last is not None:
    value = eval(compile(last, 'cell.py', 'eval'), scope)
    if value is not None:
        sys.stdout.flush()
        sys.stdout.write('\x00chainlm-result\x00' + repr(value))
`;

/**
 * The permissions (permits) as a menu tree: pure, no I/O. The platform sends a flat list linked by
 * `permPid` and ordered by `permSort`; this nests it for rendering a menu.
 */
import type { DisabledAidPermission } from './profile';

export interface DisabledAidMenuNode extends DisabledAidPermission {
  children: DisabledAidMenuNode[];
}

/**
 * Build the menu tree by `parentId`, siblings ordered by `sort` (then by input order).
 * - top level: no parent, or a parent equal to the entry itself;
 * - orphans (parent not among the permissions) are placed at the top level, not dropped;
 * - cycles (A → B → A) are broken at the member that sorts first, which becomes top level.
 * Every permission appears exactly once; the input is not changed; always terminates.
 */
export function buildMenuTree(permissions: readonly DisabledAidPermission[]): DisabledAidMenuNode[] {
  const order = new Map<string, number>();
  const nodes = new Map<string, DisabledAidMenuNode>();
  for (const p of permissions) {
    if (nodes.has(p.id)) continue;
    order.set(p.id, order.size);
    nodes.set(p.id, { ...p, roleCodes: [...p.roleCodes], children: [] });
  }
  const compare = (a: DisabledAidMenuNode, b: DisabledAidMenuNode) =>
    (a.sort ?? Number.POSITIVE_INFINITY) - (b.sort ?? Number.POSITIVE_INFINITY) || order.get(a.id)! - order.get(b.id)!;
  const isRoot = (n: DisabledAidMenuNode) => n.parentId === undefined || n.parentId === n.id || !nodes.has(n.parentId);

  const childrenOf = new Map<string, DisabledAidMenuNode[]>();
  for (const n of nodes.values()) {
    if (isRoot(n)) continue;
    const list = childrenOf.get(n.parentId!) ?? [];
    list.push(n);
    childrenOf.set(n.parentId!, list);
  }
  const roots: DisabledAidMenuNode[] = [];
  const placed = new Set<string>();
  const attach = (root: DisabledAidMenuNode) => {
    placed.add(root.id);
    const stack = [root];
    while (stack.length) {
      const parent = stack.pop()!;
      for (const child of childrenOf.get(parent.id) ?? []) {
        if (placed.has(child.id)) continue;
        placed.add(child.id);
        parent.children.push(child);
        stack.push(child);
      }
    }
  };
  for (const n of nodes.values()) if (isRoot(n)) roots.push(n);
  for (const r of roots) attach(r);
  // whatever is left hangs off a cycle: break each cycle at its first-sorting member
  for (const n of nodes.values()) {
    if (placed.has(n.id)) continue;
    const seen = new Set<string>();
    let cur = n;
    while (!seen.has(cur.id)) {
      seen.add(cur.id);
      cur = nodes.get(cur.parentId!)!;
    }
    const cycle: DisabledAidMenuNode[] = [];
    let member = cur;
    do {
      cycle.push(member);
      member = nodes.get(member.parentId!)!;
    } while (member !== cur);
    const head = cycle.sort(compare)[0];
    roots.push(head);
    attach(head);
  }
  const sortDeep = (list: DisabledAidMenuNode[]) => {
    list.sort(compare);
    for (const n of list) sortDeep(n.children);
  };
  sortDeep(roots);
  return roots;
}

// Placeholder written by the foundation (issue 3) so the navigation works. The helper that owns the
// Nodes screen replaces this file freely; the foundation will not touch it again.
export default function NodesPage() {
  return (
    <section data-testid="nodes-placeholder">
      <div className="toolbar">
        <h1>Nodes</h1>
      </div>
      <p className="muted">Not built yet.</p>
    </section>
  );
}

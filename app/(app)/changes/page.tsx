// Placeholder written by the foundation (issue 3) so the navigation works. The helper that owns the
// Changes screen replaces this file freely; the foundation will not touch it again.
export default function ChangesPage() {
  return (
    <section data-testid="changes-placeholder">
      <div className="toolbar">
        <h1>Changes</h1>
      </div>
      <p className="muted">Not built yet.</p>
    </section>
  );
}

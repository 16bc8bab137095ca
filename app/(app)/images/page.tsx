// Placeholder written by the foundation (issue 3) so the navigation works. The helper that owns the
// Images screen replaces this file freely; the foundation will not touch it again.
export default function ImagesPage() {
  return (
    <section data-testid="images-placeholder">
      <div className="toolbar">
        <h1>Images</h1>
      </div>
      <p className="muted">Not built yet.</p>
    </section>
  );
}

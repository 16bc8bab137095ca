/** Shown instead of a page the signed-in role may not use (the API refuses the same calls with 403). */
export function Forbidden({ need }: { need: string }) {
  return (
    <section className="card" data-testid="forbidden">
      <h1>Not allowed</h1>
      <p>This page needs the {need} role. Ask an admin if you need it.</p>
    </section>
  );
}

import { redirect } from "next/navigation";
import { getCurrentUser } from "@/app/_lib/current-user";
import { LoginForm } from "@/components/login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await getCurrentUser()) redirect("/images");
  return (
    <div className="login-wrap">
      <LoginForm />
    </div>
  );
}

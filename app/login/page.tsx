import { redirect } from "next/navigation";
import { getCurrentUser } from "@/app/_lib/current-user";
import { InsecureBanner } from "@/components/insecure-banner";
import { LoginForm } from "@/components/login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await getCurrentUser()) redirect("/images");
  return (
    <>
      <InsecureBanner />
      <div className="login-wrap">
        <LoginForm />
      </div>
    </>
  );
}

import { OwnPassword } from "@/components/own-password";

export default function AccountPage() {
  return <OwnPassword />;
}

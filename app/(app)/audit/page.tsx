import { AuditTable } from "@/components/audit-table";

export default function AuditPage() {
  return <AuditTable />;
}

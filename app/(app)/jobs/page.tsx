import { JobsTable } from "@/components/jobs-table";

export default function JobsPage() {
  return <JobsTable />;
}

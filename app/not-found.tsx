import { StatusPage } from './status-page';

/** Any unknown address, and a study page asked for something that is not a study UID. */
export default function NotFound() {
  return (
    <StatusPage code="404" title="Nothing here">
      This address is not a page of ICH Triage, or the study it names is not held here. Check the link, or find the study on the worklist.
    </StatusPage>
  );
}

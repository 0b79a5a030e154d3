import { ButtonLink, PageHeader } from '../components/ui';
import { useTitle } from '../lib/hooks';
import { href } from '../lib/router';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <>
      <PageHeader title="Page not found" />
      <p>There is no page at this address.</p>
      <ButtonLink href={href('connectors')}>Go to the connectors</ButtonLink>
    </>
  );
}

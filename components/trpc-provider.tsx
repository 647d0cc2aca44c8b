// Client-side data layer: one QueryClient and tRPC client per browser tab, and the `useTRPC` hook.
'use client';

import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { type ReactNode, useState } from 'react';
import superjson from 'superjson';
import { errorCode, errorStatus } from '@/components/ui/errors';
import type { AppRouter } from '@/server/trpc/root';

const { TRPCProvider: Provider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export { useTRPC, useTRPCClient };

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({
      // A session that ended while the page was open: send the user to sign in again.
      onError(error) {
        if (errorCode(error) === 'UNAUTHORIZED' && window.location.pathname !== '/sign-in') {
          window.location.assign('/sign-in');
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Client errors (not found, forbidden, bad input) will not go away by asking again.
        retry: (failureCount, error) => {
          const status = errorStatus(error);
          return (status === undefined || status >= 500) && failureCount < 2;
        },
      },
    },
  });
}

export function TRPCProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          // Inspecting a draft sends the whole definition: too large for a GET URL on big graphs.
          condition: (op) => op.path === 'studio.inspect',
          true: httpBatchLink({ url: '/api/trpc', transformer: superjson, methodOverride: 'POST' }),
          false: httpBatchLink({ url: '/api/trpc', transformer: superjson }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <Provider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </Provider>
    </QueryClientProvider>
  );
}

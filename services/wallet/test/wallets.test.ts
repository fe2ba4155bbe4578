import type { Router } from 'express';
import { describe, expect, it } from 'vitest';
import type { ApiDependencies } from '@innover/kit';
import { openedEvent, walletRoutes } from '../src/domain/wallets.js';
import { walletOpenedCodec } from '@innover/proto/events.js';

describe('openedEvent', () => {
  it('builds wallet.opened.v1 as the WalletOpened proto, which survives the Kafka codec', () => {
    const event = openedEvent('w-1', { ownerId: 'alice', currency: 'EUR' });
    const decoded = walletOpenedCodec.decode(walletOpenedCodec.encode(event));
    expect(decoded.$typeName).toBe('innover.wallet.v1.WalletOpened');
    expect({ walletId: decoded.walletId, customerId: decoded.customerId, currencyCode: decoded.currencyCode }).toEqual({ walletId: 'w-1', customerId: 'alice', currencyCode: 'EUR' });
    expect(decoded.metadata).toMatchObject({ source: 'wallet', correlationId: 'w-1' });
    expect(decoded.metadata?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decoded.metadata?.occurredAt?.seconds).toBeGreaterThan(0n);
  });
});

describe('POST /wallets', () => {
  it('answers 201 and publishes nothing: the API process has no Kafka client', async () => {
    type Handler = (request: unknown, response: unknown) => Promise<void>;
    const posts = new Map<string, Handler>();
    // Only what walletRoutes registers; the handler after validateBody is the last argument.
    const router = { post: (path: string, ...handlers: Handler[]) => posts.set(path, handlers.at(-1) as Handler), get: () => undefined } as unknown as Router;
    const dependencies = { database: { query: () => Promise.resolve([]), close: () => Promise.resolve() } } as unknown as ApiDependencies;
    walletRoutes(router, dependencies);
    let sent: { status: number; body: { id: string } } | undefined;
    const response = { status: (status: number) => ({ json: (body: { id: string }) => { sent = { status, body }; } }) };
    await posts.get('/wallets')?.({ body: { ownerId: 'alice', currency: 'EUR' } }, response);
    expect(sent?.status).toBe(201);
  });
});

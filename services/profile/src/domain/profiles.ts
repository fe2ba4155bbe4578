import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { HttpError, requireDependency, validateBody } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { profileCreatedCodec } from '@innover/proto/events.js';
import { ProfileCreatedSchema } from '@innover/proto/profile/v1/profile_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

export const profileRequest = z.strictObject({
  displayName: z.string().trim().min(1).max(100),
  email: z.email('must be an email address'),
});
type ProfileRequest = z.infer<typeof profileRequest>;

interface ProfileRow {
  id: string;
  display_name: string;
  email: string;
  created_at: Date;
}

/** POST /profiles creates a customer profile (unique email); GET /profiles/:id reads it. */
export function profileRoutes(router: Router, dependencies: ServiceDependencies): void {
  router.post('/profiles', validateBody(profileRequest), async (request, response) => {
    const body = request.body as ProfileRequest;
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const id = randomUUID();
    const [row] = await database.query<ProfileRow>('INSERT INTO profiles (id, display_name, email) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id, display_name, email, created_at', [id, body.displayName, body.email.toLowerCase()]);
    if (!row) throw new HttpError(409, 'conflict', `email: a profile with ${body.email} exists`);
    const created = timestampFromDate(row.created_at);
    const event = create(ProfileCreatedSchema, {
      metadata: eventMetadata({ source: 'profile', correlationId: id }),
      profile: { customerId: id, fullName: row.display_name, email: row.email, createdAt: created, updatedAt: created },
    });
    await dependencies.events?.publish('created', event, { key: id, codec: profileCreatedCodec });
    response.status(201).json({ id, ...body });
  });
  router.get('/profiles/:id', async (request, response) => {
    const id = request.params['id'] ?? '';
    if (!z.uuid().safeParse(id).success) throw new HttpError(400, 'invalid_request', 'id: must be a UUID');
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const [row] = await database.query<ProfileRow>('SELECT id, display_name, email, created_at FROM profiles WHERE id = $1', [id]);
    if (!row) throw new HttpError(404, 'not_found', `no profile ${id}`);
    response.json({ id: row.id, displayName: row.display_name, email: row.email, createdAt: row.created_at.toISOString() });
  });
}

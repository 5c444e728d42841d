<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\InvalidViewerException;

/**
 * Who is watching, checked by the protocol's rule (packages/protocol `safeParseViewer`): an admin sees
 * every booking, a supervisor their workpoint's, a specialist their own. Fields that do not belong to
 * the role are ignored, so a specialist's `workpoint_id` never widens what they see.
 */
final class Viewer
{
    public const ROLES = ['admin', 'supervisor', 'specialist'];

    /**
     * @param string      $role    admin, supervisor or specialist
     * @param string|null $scopeId the canonical workpoint id (supervisor) or specialist id (specialist)
     */
    private function __construct(public readonly string $role, public readonly ?string $scopeId)
    {
    }

    /**
     * @param array<string, mixed>|Viewer $viewer `['role' => 'admin']`, `['role' => 'supervisor', 'workpoint_id' => 1]`
     *                                             or `['role' => 'specialist', 'specialist_id' => 3]`
     * @throws InvalidViewerException for an unknown role or a missing or malformed id
     */
    public static function from(array|self $viewer): self
    {
        if ($viewer instanceof self) {
            return $viewer;
        }
        $role = $viewer['role'] ?? null;
        $field = match ($role) {
            'admin' => null,
            'supervisor' => 'workpoint_id',
            'specialist' => 'specialist_id',
            null => throw new InvalidViewerException('missing_field', 'role is required', 'role'),
            default => throw new InvalidViewerException('invalid_field', 'role must be "admin", "supervisor" or "specialist"', 'role'),
        };
        if ($field === null) {
            return new self('admin', null);
        }
        [$id, $error] = Ids::canonical($viewer[$field] ?? null, $field);
        if ($id === null) {
            throw new InvalidViewerException($error[0] ?? 'invalid_field', $error[1] ?? "$field is invalid", $field);
        }
        return new self($role, $id);
    }

    /**
     * The viewer's claims for a token: `role`, and `workpoint_id` or `specialist_id` as the app gave it
     * (a PDO string stays a string; the hub reads both forms as the same id).
     *
     * @param array<string, mixed> $viewer the array given to {@see self::from()}
     * @return array<string, mixed>
     */
    public static function claimsOf(array $viewer): array
    {
        $checked = self::from($viewer);
        return match ($checked->role) {
            'admin' => ['role' => 'admin'],
            'supervisor' => ['role' => 'supervisor', 'workpoint_id' => $viewer['workpoint_id']],
            'specialist' => ['role' => 'specialist', 'specialist_id' => $viewer['specialist_id']],
        };
    }
}

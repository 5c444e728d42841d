<?php
/**
 * A fresh viewer token for the signed-in user, as JSON: the page's client asks for one before its
 * token expires, so a reconnection never presents an expired token. 401 when signed out.
 */

declare(strict_types=1);

require_once dirname(__DIR__) . '/src/app.php';

start_session();
session_write_close(); // read-only: do not hold the session lock
header('Content-Type: application/json; charset=utf-8');
header('Cache-Control: no-store');

$user = current_user();
if ($user === null) {
    http_response_code(401);
    echo json_encode(['error' => 'signed_out', 'message' => 'Sign in again.']);
    exit;
}
$ttl = config()['token_ttl'];
echo json_encode([
    'token' => tokens()->mint(viewer_of($user), $user['login'], $ttl),
    'expiresAt' => (time() + $ttl) * 1000,
]);

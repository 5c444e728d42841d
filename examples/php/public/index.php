<?php
/**
 * The booking page. Signed-in users see the bookings of their scope; every change is written to the
 * store and published, and every browser allowed to see it reloads at once through the hub.
 */

declare(strict_types=1);

require_once dirname(__DIR__) . '/src/app.php';

use RealtimeBookings\EventValidator;
use RealtimeBookings\Exception\InvalidEventException;

start_session();

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    if (!hash_equals($_SESSION['csrf'], (string) ($_POST['csrf'] ?? ''))) {
        http_response_code(403);
        exit('Invalid form token: reload the page.');
    }
    $action = (string) ($_POST['action'] ?? '');
    $flash = handle($action, current_user());
    $_SESSION['flash'] = $flash;
    header('Location: /', true, 303);
    exit;
}

/** The client's name as typed, at most 80 characters (of valid UTF-8), or "Walk-in". */
function client_name(string $typed): string
{
    $name = preg_replace('/^(.{0,80}).*$/su', '$1', trim($typed));
    return is_string($name) && $name !== '' ? $name : 'Walk-in';
}

/** Runs one form action; returns the message shown after the redirect. */
function handle(string $action, ?array $user): string
{
    if ($action === 'login') {
        $login = (string) ($_POST['user'] ?? '');
        if (!isset(DEMO_USERS[$login])) {
            return 'Unknown user.';
        }
        session_regenerate_id(true);
        $_SESSION['user'] = $login;
        return 'Signed in as ' . DEMO_USERS[$login]['name'] . '.';
    }
    if ($action === 'logout') {
        unset($_SESSION['user']);
        return 'Signed out.';
    }
    if ($user === null) {
        return 'Sign in first.';
    }
    $publisher = publisher();
    try {
        switch ($action) {
            case 'create':
            case 'legacy': {
                $specialist = (int) ($_POST['specialist_id'] ?? 0);
                if (!may_book($user, $specialist)) {
                    return 'You cannot book for that specialist.';
                }
                $booking = [
                    'id' => (int) redis()->incr('demo-php:' . config()['key_prefix'] . ':next-id'),
                    'specialist_id' => $specialist,
                    'workpoint_id' => SPECIALIST_WORKPOINT[$specialist],
                    'client' => client_name((string) ($_POST['client'] ?? '')),
                    'start' => (string) ($_POST['start'] ?? date('Y-m-d H:i')),
                ];
                // Checked before saving: what is saved can always be published.
                $event = EventValidator::validate('create', $booking);
                save_booking($booking);
                if ($action === 'legacy') {
                    $receivers = $publisher->publishLegacy('create', $booking);
                    return "Booking #{$booking['id']} created and announced with a bare PUBLISH ($receivers hub processes heard it; no id, no version).";
                }
                $id = $publisher->publishValidated($event);
                return "Booking #{$booking['id']} created and published as $id.";
            }
            case 'move': {
                $booking = find_booking((int) ($_POST['id'] ?? 0));
                if ($booking === null || !can_see($user, $booking)) {
                    return 'Unknown booking.'; // the same answer whether it does not exist or is someone else's
                }
                $specialist = (int) ($_POST['specialist_id'] ?? 0);
                if (!may_book($user, $specialist)) {
                    return 'You cannot move a booking to that specialist.';
                }
                // The old scope is named too, so the viewers the booking left also refresh.
                $previous = ['specialist_id' => $booking['specialist_id'], 'workpoint_id' => $booking['workpoint_id']];
                $booking['specialist_id'] = $specialist;
                $booking['workpoint_id'] = SPECIALIST_WORKPOINT[$specialist];
                $event = EventValidator::validate('update', $booking, $previous);
                save_booking($booking);
                $id = $publisher->publishValidated($event);
                return "Booking #{$booking['id']} moved to specialist $specialist and published as $id.";
            }
            case 'delete': {
                $booking = find_booking((int) ($_POST['id'] ?? 0));
                if ($booking === null || !can_see($user, $booking)) {
                    return 'Unknown booking.';
                }
                $event = EventValidator::validate('delete', $booking);
                redis()->hDel(bookings_key(), (string) $booking['id']);
                $id = $publisher->publishValidated($event);
                return "Booking #{$booking['id']} cancelled and published as $id.";
            }
            default:
                return 'Unknown action.';
        }
    } catch (InvalidEventException $error) {
        return 'Nothing was saved: this change cannot be published (' . $error->getMessage() . ').';
    }
}

$user = current_user();
$flash = $_SESSION['flash'] ?? null;
unset($_SESSION['flash']);
$csrf = $_SESSION['csrf'];
$hub = config()['hub_url'];
$clientConfig = null;
if ($user !== null) {
    $ttl = config()['token_ttl'];
    $clientConfig = [
        'streamUrl' => "$hub/events",
        'versionUrl' => "$hub/version",
        'tokenUrl' => '/token.php',
        'token' => tokens()->mint(viewer_of($user), $user['login'], $ttl),
        'tokenExpiresAt' => (time() + $ttl) * 1000,
        // The version of this user's own scope when the page was rendered (never the global counter,
        // unless an admin): the client's first check catches a change made between rendering and connecting.
        'initialVersion' => versions()->for(viewer_of($user)),
    ];
}
header('Cache-Control: no-store');
?>
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Bookings · PHP + realtime-bookings</title>
  <link rel="stylesheet" href="/style.css">
  <link rel="icon" href="data:,">
</head>
<body>
<header>
  <h1>Bookings</h1>
  <?php if ($user !== null): ?>
    <button type="button" id="rb-status" class="status">Real-time</button>
    <span class="who">Signed in as <strong data-login="<?= e($user['login']) ?>"><?= e($user['name']) ?></strong></span>
    <form method="post"><input type="hidden" name="csrf" value="<?= e($csrf) ?>"><button name="action" value="logout">Sign out</button></form>
  <?php endif ?>
</header>
<main>
<?php if ($flash !== null): ?><p class="flash" role="status"><?= e($flash) ?></p><?php endif ?>

<?php if ($user === null): ?>
  <form method="post" class="card">
    <h2>Sign in as a demo user</h2>
    <input type="hidden" name="csrf" value="<?= e($csrf) ?>">
    <select name="user">
      <?php foreach (DEMO_USERS as $login => $demo): ?><option value="<?= e($login) ?>"><?= e($demo['name']) ?></option><?php endforeach ?>
    </select>
    <button name="action" value="login">Sign in</button>
    <p>Open another browser (or a private window) as someone else, and watch each page refresh
      only for the bookings its user may see.</p>
  </form>
<?php else: ?>
  <section class="card">
    <h2>Your bookings <small>(version <span id="version"><?= e($clientConfig['initialVersion']) ?></span>)</small></h2>
    <table id="bookings">
      <thead><tr><th>#</th><th>Client</th><th>Start</th><th>Specialist</th><th>Workpoint</th><th></th></tr></thead>
      <tbody>
      <?php foreach (visible_bookings($user) as $b): ?>
        <tr data-id="<?= e($b['id']) ?>">
          <td><?= e($b['id']) ?></td><td><?= e($b['client']) ?></td><td><?= e($b['start']) ?></td>
          <td><?= e($b['specialist_id']) ?></td><td><?= e($b['workpoint_id']) ?></td>
          <td>
            <form method="post" class="inline">
              <input type="hidden" name="csrf" value="<?= e($csrf) ?>"><input type="hidden" name="id" value="<?= e($b['id']) ?>">
              <select name="specialist_id" aria-label="Move to specialist">
                <?php foreach (SPECIALIST_WORKPOINT as $s => $w): ?><option value="<?= $s ?>" <?= $s === (int) $b['specialist_id'] ? 'selected' : '' ?>>specialist <?= $s ?></option><?php endforeach ?>
              </select>
              <button name="action" value="move">Move</button>
              <button name="action" value="delete">Cancel</button>
            </form>
          </td>
        </tr>
      <?php endforeach ?>
      </tbody>
    </table>
  </section>

  <form method="post" class="card">
    <h2>New booking</h2>
    <input type="hidden" name="csrf" value="<?= e($csrf) ?>">
    <label>Client <input name="client" maxlength="80" placeholder="Walk-in"></label>
    <label>Start <input name="start" value="<?= e(date('Y-m-d H:i', time() + 3600)) ?>"></label>
    <label>Specialist
      <select name="specialist_id">
        <?php foreach (SPECIALIST_WORKPOINT as $s => $w): ?><option value="<?= $s ?>">specialist <?= $s ?> (workpoint <?= $w ?>)</option><?php endforeach ?>
      </select>
    </label>
    <button name="action" value="create">Book (atomic publish)</button>
    <button name="action" value="legacy" class="secondary">Book with a legacy bare PUBLISH</button>
    <p class="note">
      <strong>Book</strong> publishes with the atomic Lua script: the event gets a history id, the version
      counters of its scope go up, and a browser that was offline gets it on reconnect.
      The <strong>legacy bare PUBLISH</strong> (what the original system did) is still delivered live to
      connected browsers, but without an id: a browser that was reconnecting at that moment never hears
      of it, and a browser on the polling fallback never sees it (no version changes).
    </p>
  </form>
  <script type="application/json" id="rb-config"><?= json_encode($clientConfig, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES) ?></script>
  <script src="/assets/realtime-bookings.global.js"></script>
  <script src="/app.js"></script>
<?php endif ?>
</main>
</body>
</html>

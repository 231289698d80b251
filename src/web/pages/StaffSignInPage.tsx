import { Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage, signIn } from '../api.ts';
import { ErrorMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import { usePageTitle } from '../usePageTitle.ts';

/** `/staff/sign-in`: username and password; on success the staff home. */
export function StaffSignInPage() {
  usePageTitle('Staff sign-in');
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (username.trim() === '' || password === '') {
      setError('Enter your username and password.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      navigate('/staff');
    } catch (e) {
      setError(errorMessage(e));
      setSubmitting(false);
    }
  }

  return (
    <PageLayout>
      <Paper withBorder p="xl" maw={440} mx="auto" mt="xl">
        <form onSubmit={onSubmit} aria-labelledby="sign-in-heading" noValidate>
          <Stack gap="md">
            <Title order={1} id="sign-in-heading">
              Staff sign-in
            </Title>
            <Text c="gray.8">Sign in with your Shelfshare staff account.</Text>
            {error ? <ErrorMessage title="Sign-in failed">{error}</ErrorMessage> : null}
            <TextInput
              label="Username"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={submitting}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </PageLayout>
  );
}
